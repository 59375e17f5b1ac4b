import assert from "node:assert/strict";
import { test } from "node:test";
import { checkState, endedWell, historyOutcome, resultHeading, resultStyle } from "../src/outcomes.js";
import { keyedI18n } from "./helpers.js";

const { t } = keyedI18n();
const ok = { kind: "ok" };

test("a result is headed by what it means for its kind", () => {
  assert.equal(resultHeading(t, { status: "cancelled", outcome: ok }, "submit"), "resultCancelled");
  assert.equal(resultHeading(t, { status: "finished", outcome: ok }, "publish"), "resultPublished");
  assert.equal(resultHeading(t, { status: "finished", outcome: { kind: "registry_denied" } }, "publish"), "resultNotPublished");
  assert.equal(resultHeading(t, { status: "finished", outcome: ok, passed: true }, "submit"), "resultPassed");
  assert.equal(resultHeading(t, { status: "finished", outcome: ok, passed: null }, "try"), "resultRan");
  assert.equal(resultHeading(t, { status: "finished", outcome: { kind: "time_limit" }, passed: null }, "try"), "resultProblem");
});

test("the result's colour: ok, a warning for not passed, an error when it did not build or run", () => {
  assert.equal(resultStyle({ status: "finished", outcome: ok, passed: true }), "ok");
  assert.equal(resultStyle({ status: "finished", outcome: ok, passed: false }), "warn");
  assert.equal(resultStyle({ status: "finished", outcome: { kind: "build_error" }, passed: false }), "error");
  assert.equal(resultStyle({ status: "cancelled", outcome: null }), "dim");
});

test("history rows say the same as results, from the row's outcome kind alone", () => {
  assert.equal(historyOutcome(t, { status: "running", kind: "submit" }), "statusRunning");
  assert.equal(historyOutcome(t, { status: "finished", kind: "try", outcome: "ok" }), "resultRan");
  assert.equal(historyOutcome(t, { status: "finished", kind: "submit", outcome: "ok", passed: false }), "resultNotPassed");
  assert.equal(historyOutcome(t, { status: "failed", kind: "submit", outcome: "engine_unavailable" }), "resultFailed");
});

test("a check worth no points is advice, never a failure", () => {
  assert.equal(checkState({ passed: false, max_points: 0 }), "advice");
  assert.equal(checkState({ passed: false, max_points: 1 }), "failed");
  assert.equal(checkState({ passed: true, max_points: 0 }), "passed");
});

test("only a finished attempt whose outcome is ok ended well", () => {
  assert.equal(endedWell({ status: "finished", outcome: ok }), true);
  assert.equal(endedWell({ status: "cancelled", outcome: ok }), false);
  assert.equal(endedWell(undefined), false);
});
