import assert from "node:assert/strict";
import { test } from "node:test";
import { logLines, stripAnsi, terminalText } from "../src/ansi.js";

test("a batched log event is one terminal line per line it carries", () => {
  assert.deepEqual(logLines("Step 1\nStep 2\n\nlast"), ["Step 1", "Step 2", "", "last"]);
  assert.deepEqual(logLines("one line"), ["one line"]);
  assert.deepEqual(logLines(undefined), [""]);
});

test("the lines of an event go to the terminal as one write, each coloured by its stream and ended", () => {
  const text = terminalText([{ text: "out", style: "plain" }, { text: "err", style: "error" }, { text: "?", style: "odd" }]);
  assert.equal(text, "out\r\n\x1b[31merr\x1b[0m\r\n?\r\n");
});

test("copied output has no colour codes", () => {
  assert.equal(stripAnsi("\x1b[1;32mPASS\x1b[0m done \x1b[?25l"), "PASS done ");
});
