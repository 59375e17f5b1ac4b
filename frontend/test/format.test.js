import assert from "node:assert/strict";
import { test } from "node:test";
import { formatBytes, formatSeconds, formatWait, orderedNames, shortLayer, sourceLabel } from "../src/format.js";
import { keyedI18n } from "./helpers.js";

const { t } = keyedI18n();

test("durations keep two digits under a second, one under a minute, then whole minutes", () => {
  assert.equal(formatSeconds(t, 0.004), "seconds(n=<0.01)");
  assert.equal(formatSeconds(t, 0.256), "seconds(n=0.26)");
  assert.equal(formatSeconds(t, 12.34), "seconds(n=12.3)");
  assert.equal(formatSeconds(t, 150), "minutes(n=3)");
  assert.equal(formatSeconds(t, Number.NaN), "");
});

test("a wait under a second is a moment", () => {
  assert.equal(formatWait(t, 0.4), "waitShort");
  assert.equal(formatWait(t, undefined), "waitShort");
  assert.equal(formatWait(t, 3.4), "seconds(n=3)");
  assert.equal(formatWait(t, 125), "minutes(n=2)");
});

test("sizes are bytes, KB or MB with one decimal", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(64 * 1024), "64 KB");
  assert.equal(formatBytes(1.5 * 1024 * 1024), "1.5 MB");
});

test("a digest is cut to a short layer id; a short id stays as it is", () => {
  assert.equal(shortLayer(`sha256:${"ab12".repeat(16)}`), "ab12ab12ab12");
  assert.equal(shortLayer("5a7c700d85da"), "5a7c700d85da");
});

test("the Dockerfile comes first, the other files by name", () => {
  assert.deepEqual(orderedNames(["src/main.py", "Dockerfile", "app.py"]), ["Dockerfile", "app.py", "src/main.py"]);
  assert.deepEqual(orderedNames(new Set(["b", "a"])), ["a", "b"]);
});

test("the output's source names the kind once it is known", () => {
  assert.equal(sourceLabel(t, 4, null, true), "attemptN(id=4)");
  assert.equal(sourceLabel(t, 4, "submit", true), "showingLive(id=4,kind=kindSubmit)");
  assert.equal(sourceLabel(t, 4, "try", false), "showingStored(id=4,kind=kindTry)");
});
