// The output pane as data: the protocol's events (docs/protocol.md) folded one by one into what the pane shows
// (status line, build steps, checks, layers, published references, result) plus the lines the terminal gains.
// applyEvent never changes the state it is given, so the pane redraws only the parts whose value changed.
import { logLines } from "./ansi.js";
import { formatSeconds, formatWait, shortLayer } from "./format.js";
import { cacheMissLines } from "./insight-events.js";
import { TERMINAL_STYLE, resultStyle, resultSummary } from "./outcomes.js";

// Docker's own words for a layer's state, as string keys; words it may add later pass through as they are.
const LAYER_STATUS = {
  Preparing: "layer_preparing", Waiting: "layer_waiting", Pushing: "layer_pushing", Pushed: "layer_pushed",
  "Layer already exists": "layer_exists", "Pulling fs layer": "layer_fsLayer", Downloading: "layer_downloading",
  "Verifying Checksum": "layer_verifying", "Download complete": "layer_downloadComplete",
  Extracting: "layer_extracting", "Pull complete": "layer_pullComplete", "Already exists": "layer_alreadyExists",
};
const LAYER_DONE = new Set(["Pushed", "Layer already exists", "Pull complete", "Already exists"]);

export function layerStatus(t, status) {
  return LAYER_STATUS[status] ? t(LAYER_STATUS[status]) : status;
}

// The pane before the first event of an attempt; `isLive` when it is followed as it runs, not a stored one.
// `number` is what the learner calls the attempt (their first at the exercise is #1); `attempt` is its id.
export function emptyOutput(i18n, attempt, kind, isLive, number = null) {
  return {
    attempt, kind, isLive, number: number || attempt,
    status: isLive ? i18n.t("accepted", { id: number || attempt }) : "",
    steps: [], // {step, total, instruction, line, state: running | done | failed, cached, seconds, startedAt}
    // The phase under way (build, run, check, push, pull) with its limit in seconds (or null), and when it began
    // by the page's clock (milliseconds, as `now` is given to applyEvent): heartbeats set that again.
    phase: null, // {name, limit, startedAt}
    currentStep: null, // the step the builder is in
    checks: [],
    direction: null, // "push" or "pull": which way the layers of `layers` went last
    layers: [], // {key, direction, layer, status, done, current, total}
    transferHeads: [], // the directions whose heading line the terminal has shown
    published: [], // {reference, digest}
    result: null,
    sawRunOutput: false,
  };
}

const line = (text, style = "plain") => ({ text, style });
// The attempt's number as its events carry it (stored events from before numbers carry none).
const shown = (state, event) => event.number || state.number;

// -> {state, lines}: the pane after `event`, and the terminal lines it adds ([{text, style}]). `now` is the page's
// clock in milliseconds, for the elapsed times of a phase and a step.
export function applyEvent(state, event, i18n, now = 0) {
  const handler = HANDLERS[event.type];
  return handler ? handler(state, event, i18n, now) : { state, lines: [] };
}

// "12 s of 120 s" for the phase under way at `now`, "3 s" where it has no limit; "" when none is.
export function phaseClock(state, now, { t }) {
  if (!state.phase || state.result || !state.isLive) return "";
  const elapsed = t("seconds", { n: Math.max(0, Math.floor((now - state.phase.startedAt) / 1000)) });
  return state.phase.limit ? t("elapsedOf", { elapsed, limit: t("seconds", { n: state.phase.limit }) }) : elapsed;
}

// Whole seconds the running step has taken at `now`, or null when no step runs or its start is unknown.
export function stepElapsed(step, now) {
  return step.state === "running" && Number.isFinite(step.startedAt)
    ? Math.max(0, Math.floor((now - step.startedAt) / 1000)) : null;
}

const HANDLERS = {
  queued(state, event, { t, number }) {
    const wait = formatWait(t, event.estimated_wait);
    return { state: { ...state, status: t("queued", { id: shown(state, event), position: number(event.position), wait }) }, lines: [] };
  },

  // What the attempt is doing now, and the seconds it may take (docs/protocol.md, "phase").
  phase(state, event, { t }, now) {
    const phase = { name: event.phase, limit: Number.isFinite(event.limit) ? event.limit : null, startedAt: now };
    return { state: { ...state, phase, status: t(`phase_${event.phase}`, { id: shown(state, event) }) }, lines: [] };
  },

  // The phase and the step are still under way, `elapsed` and `step_elapsed` seconds after they began.
  heartbeat(state, event, i18n, now) {
    const phase = state.phase && state.phase.name === event.phase ? state.phase
      : HANDLERS.phase(state, event, i18n, now).state.phase;
    const startedAt = now - Number(event.elapsed || 0) * 1000;
    const steps = state.steps.map((item) => (item.step === event.step && item.state === "running"
      ? { ...item, startedAt: now - Number(event.step_elapsed || 0) * 1000 } : item));
    return { state: { ...state, steps, phase: { ...phase, startedAt } }, lines: [] };
  },

  started(state, event, { t }) {
    return {
      state: { ...state, status: t("running", { id: shown(state, event) }) },
      lines: [line(t("termStarted", { id: shown(state, event) }), "dim")],
    };
  },

  // The builder logs only what steps print; a step header in the output says which step printed it.
  build_step(state, event, { t }, now) {
    const step = {
      step: event.step, total: event.total, instruction: event.instruction || "", line: event.line,
      state: "running", cached: false, seconds: null, startedAt: now,
    };
    const steps = state.steps.some((item) => item.step === event.step)
      ? state.steps.map((item) => (item.step === event.step ? step : item)) : [...state.steps, step];
    return {
      state: { ...state, steps, currentStep: event.step },
      lines: [line(`${t("stepOf", { step: event.step, total: event.total })} : ${step.instruction}`, "dim")],
    };
  },

  step_finished(state, event) {
    if (!state.steps.some((item) => item.step === event.step)) return { state, lines: [] };
    const steps = state.steps.map((item) => (item.step !== event.step ? item
      : { ...item, state: "done", cached: Boolean(event.cached), seconds: Number(event.seconds) }));
    const currentStep = state.currentStep === event.step ? null : state.currentStep;
    return { state: { ...state, steps, currentStep }, lines: [] };
  },

  cache_miss(state, event, { localize }) {
    return { state, lines: cacheMissLines(event, localize) };
  },

  // One event may carry several lines (output goes out in batches): each is a line of the terminal.
  log(state, event, { t }) {
    const lines = [];
    let next = state;
    if (event.stream !== "build" && !state.sawRunOutput) {
      next = { ...state, sawRunOutput: true };
      lines.push(line(`── ${t("termRunOutput")} ──`, "dim"));
    }
    const style = event.stream === "stderr" ? "error" : "plain";
    for (const text of logLines(event.text)) lines.push(line(text, style));
    return { state: next, lines };
  },

  check(state, event) {
    return { state: { ...state, checks: [...state.checks, event] }, lines: [] };
  },

  push: layerProgress,
  pull: layerProgress, // the same rows and lines as a push, headed "pulling"

  published(state, event, { t }) {
    const item = { reference: String(event.reference || ""), digest: String(event.digest || "") };
    return {
      state: { ...state, published: [...state.published, item] },
      lines: [line(t("termPublished", item), "ok")],
    };
  },

  result(state, event, { t, localize }) {
    const steps = state.steps.map((item) => (item.state === "running" ? { ...item, state: "failed" } : item));
    return {
      state: { ...state, steps, currentStep: null, result: event, status: resultSummary(t, event, state.kind, shown(state, event)) },
      lines: [line(localize(event.outcome && event.outcome.message), TERMINAL_STYLE[resultStyle(event)])],
    };
  },

  // What the service did with the attempt (queued again after its worker stopped, ...), or a failure explained in
  // plain words (a script run without its executable bit), in the learner's language: set apart from the output.
  notice(state, event, { localize }) {
    return { state, lines: [line(localize(event.message), "info")] };
  },

  error(state, event, { localize }) {
    return { state, lines: [line(localize(event.message), "error")] };
  },
};

// A layer moving to or from the registry: a row per layer with its progress, a terminal line per new status.
function layerProgress(state, event, { t }) {
  const direction = event.type === "pull" ? "pull" : "push";
  const layer = String(event.layer || "");
  const status = String(event.status || "");
  const lines = [];
  let transferHeads = state.transferHeads;
  if (!transferHeads.includes(direction)) {
    transferHeads = [...transferHeads, direction];
    lines.push(line(`── ${t(direction === "pull" ? "termPull" : "termPush")} ──`, "dim"));
  }
  if (/^Pulling from /.test(status)) { // the image as a whole, not a layer
    lines.push(line(status, "dim"));
    return { state: { ...state, transferHeads }, lines };
  }
  const key = `${direction}:${layer}`;
  const before = state.layers.find((item) => item.key === key);
  if (!before || before.status !== status) {
    lines.push(line(t("termLayer", { layer: shortLayer(layer), status: layerStatus(t, status) }), "dim"));
  }
  const row = {
    key, direction, layer, status, done: LAYER_DONE.has(status),
    current: Number.isInteger(event.current) ? event.current : null,
    total: Number.isInteger(event.total) && event.total > 0 ? event.total : null,
  };
  const layers = before ? state.layers.map((item) => (item.key === key ? row : item)) : [...state.layers, row];
  const rows = layers.filter((item) => item.direction === direction);
  const done = rows.filter((item) => item.done).length;
  const summary = t(direction === "pull" ? "transferPull" : "transferPush", { id: shown(state, event), done, total: rows.length });
  return { state: { ...state, transferHeads, layers, direction, status: summary }, lines };
}
