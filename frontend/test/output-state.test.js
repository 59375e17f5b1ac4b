import assert from "node:assert/strict";
import { test } from "node:test";
import { applyEvent, emptyOutput, phaseClock, stepElapsed } from "../src/output-state.js";
import { keyedI18n } from "./helpers.js";

const i18n = keyedI18n();

// Folds frames (docs/protocol.md) into the pane's state, collecting the terminal's lines on the way.
function fold(events, kind = "submit") {
  let state = emptyOutput(i18n, 42, kind, true);
  const lines = [];
  for (const event of events) {
    const before = JSON.stringify(state);
    const next = applyEvent(state, { attempt: 42, ...event }, i18n);
    assert.equal(JSON.stringify(state), before, `${event.type} changed the state it was given`);
    state = next.state;
    lines.push(...next.lines);
  }
  return { state, lines };
}

const RESULT = {
  type: "result", status: "finished", passed: false, score: 4, max_score: 6,
  outcome: { kind: "ok", message: { en: "Finished.", "zh-hans": "已完成。" }, detail: {} },
};

test("a live attempt starts as accepted; a stored one with no status", () => {
  assert.equal(emptyOutput(i18n, 42, "try", true).status, "accepted(id=42)");
  assert.equal(emptyOutput(i18n, 42, "try", false).status, "");
});

test("queued and started say where the attempt is", () => {
  assert.equal(fold([{ type: "queued", position: 1234, estimated_wait: 3 }]).state.status,
    "queued(id=42,position=1,234,wait=seconds(n=3))");
  const { state, lines } = fold([{ type: "started" }]);
  assert.equal(state.status, "running(id=42)");
  assert.deepEqual(lines, [{ text: "termStarted(id=42)", style: "dim" }]);
});

test("build steps become a timeline whose current step is the one running", () => {
  const { state, lines } = fold([
    { type: "build_step", step: 1, total: 2, instruction: "FROM layerlab/python", line: 1 },
    { type: "step_finished", step: 1, cached: true, seconds: 0.01 },
    { type: "build_step", step: 2, total: 2, instruction: "COPY app.py .", line: 3 },
  ]);
  assert.deepEqual(state.steps.map((step) => [step.step, step.state, step.cached]), [[1, "done", true], [2, "running", false]]);
  assert.equal(state.currentStep, 2);
  assert.deepEqual(lines.map((line) => line.text), ["stepOf(step=1,total=2) : FROM layerlab/python", "stepOf(step=2,total=2) : COPY app.py ."]);
});

test("a finished step that was never started changes nothing", () => {
  assert.deepEqual(fold([{ type: "step_finished", step: 5, cached: false, seconds: 1 }]).state.steps, []);
});

test("each line of a batched log event is a terminal line; the container's output is headed once", () => {
  const { lines } = fold([
    { type: "log", stream: "build", text: "a\nb" },
    { type: "log", stream: "stdout", text: "Hello\nfrom" },
    { type: "log", stream: "stderr", text: "oops" },
  ]);
  assert.deepEqual(lines, [
    { text: "a", style: "plain" }, { text: "b", style: "plain" },
    { text: "── termRunOutput ──", style: "dim" },
    { text: "Hello", style: "plain" }, { text: "from", style: "plain" },
    { text: "oops", style: "error" },
  ]);
});

test("a notice from the service is one line in the learner's language", () => {
  const { lines } = fold([{ type: "notice", message: { en: "Queued again.", "zh-hans": "已重新排队。" } }]);
  assert.deepEqual(lines, [{ text: "Queued again.", style: "info" }]);
});

test("the result fails the step still running and sums up the attempt", () => {
  const { state, lines } = fold([
    { type: "build_step", step: 1, total: 1, instruction: "RUN false", line: 2 },
    { ...RESULT, status: "failed", outcome: { kind: "build_error", message: { en: "It failed." } }, passed: null },
  ]);
  assert.equal(state.steps[0].state, "failed");
  assert.equal(state.currentStep, null);
  assert.equal(state.status, "attemptN(id=42): resultFailed");
  assert.deepEqual(lines.at(-1), { text: "It failed.", style: "error" });
});

test("a graded result carries its score; not passing is a warning, not an error", () => {
  const { state, lines } = fold([{ type: "check", id: "cmd", passed: false, points: 0, max_points: 1 }, RESULT]);
  assert.equal(state.checks.length, 1);
  assert.equal(state.status, "attemptN(id=42): resultNotPassed · score(score=4,max=6)");
  assert.deepEqual(lines, [{ text: "Finished.", style: "info" }]);
});

test("layers: one row each, a terminal line per new status, the done ones counted", () => {
  const { state, lines } = fold([
    { type: "push", layer: "aaa", status: "Preparing" },
    { type: "push", layer: "bbb", status: "Preparing" },
    { type: "push", layer: "aaa", status: "Pushing", current: 10, total: 100 },
    { type: "push", layer: "aaa", status: "Pushing", current: 50, total: 100 },
    { type: "push", layer: "aaa", status: "Pushed" },
    { type: "published", reference: "127.0.0.1:5000/ada/hello:1.0", digest: "sha256:abc" },
  ], "publish");
  assert.deepEqual(state.layers.map((row) => [row.layer, row.status, row.done]), [["aaa", "Pushed", true], ["bbb", "Preparing", false]]);
  assert.equal(state.direction, "push");
  assert.equal(state.status, "transferPush(id=42,done=1,total=2)");
  assert.deepEqual(lines.map((line) => line.text), [
    "── termPush ──",
    "termLayer(layer=aaa,status=layer_preparing)",
    "termLayer(layer=bbb,status=layer_preparing)",
    "termLayer(layer=aaa,status=layer_pushing)",
    "termLayer(layer=aaa,status=layer_pushed)",
    "termPublished(reference=127.0.0.1:5000/ada/hello:1.0,digest=sha256:abc)",
  ]);
  assert.deepEqual(state.published, [{ reference: "127.0.0.1:5000/ada/hello:1.0", digest: "sha256:abc" }]);
});

test("a pull has its own heading; the image's own line is no layer; Docker's new words pass through", () => {
  const { state, lines } = fold([
    { type: "pull", layer: "img", status: "Pulling from ada/hello" },
    { type: "pull", layer: "ccc", status: "Unpacking sideways" },
  ]);
  assert.deepEqual(state.layers.map((row) => row.key), ["pull:ccc"]);
  assert.deepEqual(lines.map((line) => line.text), ["── termPull ──", "Pulling from ada/hello", "termLayer(layer=ccc,status=Unpacking sideways)"]);
});

test("an unknown event changes nothing and writes nothing", () => {
  const state = emptyOutput(i18n, 42, "try", true);
  assert.deepEqual(applyEvent(state, { type: "new_kind", seq: 3 }, i18n), { state, lines: [] });
});

test("a phase names what the attempt does, and its clock counts against the limit the event carries", () => {
  let state = emptyOutput(i18n, 42, "try", true);
  state = applyEvent(state, { attempt: 42, type: "phase", phase: "build", limit: 120 }, i18n, 1_000).state;
  assert.equal(state.status, "phase_build(id=42)");
  assert.equal(phaseClock(state, 13_500, i18n), "elapsedOf(elapsed=seconds(n=12),limit=seconds(n=120))");
  state = applyEvent(state, { attempt: 42, type: "phase", phase: "check", limit: null }, i18n, 20_000).state;
  assert.equal(phaseClock(state, 23_000, i18n), "seconds(n=3)");
  state = applyEvent(state, { attempt: 42, ...RESULT }, i18n, 24_000).state;
  assert.equal(phaseClock(state, 25_000, i18n), "");
});

test("a heartbeat sets the clocks of the phase and the running step again, as after a reload", () => {
  let state = emptyOutput(i18n, 42, "try", true);
  for (const event of [
    { type: "phase", phase: "build", limit: 20 },
    { type: "build_step", step: 2, total: 2, instruction: "RUN sleep 60", line: 2 },
    { type: "heartbeat", phase: "build", limit: 20, elapsed: 15, step: 2, step_elapsed: 9 },
  ]) state = applyEvent(state, { attempt: 42, ...event }, i18n, 100_000).state;
  assert.equal(phaseClock(state, 101_000, i18n), "elapsedOf(elapsed=seconds(n=16),limit=seconds(n=20))");
  assert.equal(stepElapsed(state.steps[0], 101_000), 10);
  assert.equal(stepElapsed({ ...state.steps[0], state: "done" }, 101_000), null);
});

test("a stored attempt shows no clock", () => {
  const state = applyEvent(emptyOutput(i18n, 42, "try", false), { attempt: 42, type: "phase", phase: "run", limit: 10 },
    i18n, 0).state;
  assert.equal(phaseClock(state, 5_000, i18n), "");
});
