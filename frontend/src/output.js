// The output pane: draws the state of output-state.js (status line, build steps, checks, layers, published
// references, result) and writes the terminal lines each event adds. The same pane shows a live attempt and a
// stored one.
import { stripAnsi } from "./ansi.js";
import { $, el, flashNote, lineButton } from "./dom.js";
import { formatBytes, formatSeconds, shortLayer, sourceLabel } from "./format.js";
import { checkState, hasScore, resultHeading, resultStyle } from "./outcomes.js";
import { applyEvent, emptyOutput, layerStatus, phaseClock, stepElapsed } from "./output-state.js";
import { createTerminal } from "./terminal.js";

// app: {i18n}.
export function createOutput(app) {
  const { t, localize } = app.i18n;
  const terminal = createTerminal($("output"), { label: t("outputLabel") });
  let state = emptyOutput(app.i18n, null, null, false);
  let plainText = []; // the terminal's lines without colours, for "Copy output"
  let jump = () => {};

  // Each part of the pane and the state field it draws; a part is drawn again only when its field changed.
  const PARTS = [
    ["status", drawStatus],
    ["steps", drawSteps],
    ["checks", drawChecks],
    ["layers", drawLayers],
    ["published", drawPublished],
    ["result", drawResult],
  ];

  function draw(before) {
    for (const [field, drawPart] of PARTS) if (!before || before[field] !== state[field]) drawPart();
    keepClockTicking();
  }

  // The status line says what the attempt is doing; under it, while it runs, for how long against its limit (not
  // in the status's live region: a screen reader would read it out every second).
  function drawStatus() {
    $("attempt-status").textContent = state.status;
    drawClock();
  }

  function drawClock() {
    $("attempt-clock").textContent = phaseClock(state, Date.now(), app.i18n);
  }

  // Only the texts that tell the time: the timeline keeps its nodes (and the focus of its buttons).
  function tick() {
    drawClock();
    for (const step of state.steps) {
      const node = step.state === "running" && document.querySelector(`#timeline [data-step="${step.step}"] .step-state`);
      if (node) node.replaceChildren(...stepState(step));
    }
  }

  // Once a second while a live attempt is in a phase, the clocks of the status line and the running step move on.
  let ticker = null;
  function keepClockTicking() {
    const ticking = Boolean(phaseClock(state, Date.now(), app.i18n));
    if (ticking && ticker === null) {
      ticker = setInterval(tick, 1000);
    } else if (!ticking && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
  }

  // Shows attempt `id` (the learner's `number`) from its start; `goToLine` is where its "line 3" buttons jump.
  function reset(id, kind, isLive, goToLine, number = null) {
    state = emptyOutput(app.i18n, id, kind, isLive, number);
    plainText = [];
    jump = goToLine;
    terminal.clear();
    $("published-copy-note").textContent = "";
    $("output-source").textContent = sourceLabel(t, state.number, kind, isLive);
    draw(null);
  }

  function apply(event) {
    const before = state;
    const { state: after, lines } = applyEvent(state, event, app.i18n, Date.now());
    state = after;
    if (lines.length) {
      terminal.writeLines(lines);
      plainText.push(...lines.map((line) => stripAnsi(line.text)));
    }
    draw(before);
  }

  // The kind of a live attempt can arrive after its first events (from the history, after a reload).
  function setKind(kind) {
    state = { ...state, kind };
    $("output-source").textContent = sourceLabel(t, state.number, kind, state.isLive);
  }

  function setStatus(text) {
    state = { ...state, status: text };
    $("attempt-status").textContent = text;
  }

  function drawSteps() {
    $("timeline-empty").hidden = state.steps.length > 0;
    $("timeline").replaceChildren(...state.steps.map((step) => {
      const current = step.state === "running" && step.step === state.currentStep;
      return el("li", { class: `step ${step.state}`, "data-step": step.step, "aria-current": current ? "step" : null },
        el("span", { class: "step-number", text: t("stepOf", { step: step.step, total: step.total }) }),
        el("code", { class: "instruction", text: step.instruction }),
        el("span", { class: "step-meta" },
          Number.isInteger(step.line) ? lineButton(t, step.line, (line) => jump(line)) : null,
          el("span", { class: "step-state" }, ...stepState(step))));
    }));
  }

  function stepState(step) {
    if (step.state === "running") {
      const elapsed = state.isLive ? stepElapsed(step, Date.now()) : null;
      return [elapsed === null ? t("stepRunning") : `${t("stepRunning")} ${t("seconds", { n: elapsed })}`];
    }
    if (step.state === "failed") return [t("stepFailed")];
    return [
      step.cached ? el("span", { class: "badge cached", text: t("cached") }) : "",
      el("span", { class: "seconds", text: formatSeconds(t, step.seconds) }),
    ];
  }

  function drawChecks() {
    $("checks-panel").hidden = !state.checks.length;
    $("checks").replaceChildren(...state.checks.map(checkItem));
  }

  function checkItem(event) {
    const kind = checkState(event);
    const marks = { passed: "✓", failed: "✗", advice: "i" };
    const labels = { passed: t("checkPassed"), failed: t("checkFailed"), advice: t("checkAdvice") };
    return el("li", { class: `check ${kind}` },
      el("span", { class: "check-mark", "aria-hidden": "true", text: marks[kind] }),
      el("div", { class: "check-body" },
        el("p", { class: "check-head" },
          el("strong", { text: labels[kind] }), " ",
          el("code", { text: event.id || "" }), " ",
          el("span", { class: "points", text: t("points", { points: event.points, max: event.max_points }) })),
        el("p", { class: "check-message", text: localize(event.message) }),
        event.hint ? el("p", { class: "hint" }, el("strong", { text: t("hint") }), " ", localize(event.hint)) : null));
  }

  function drawLayers() {
    $("transfer-panel").hidden = !state.layers.length;
    if (state.direction) $("transfer-title").textContent = t(state.direction === "pull" ? "layersPull" : "layersPush");
    $("layers").replaceChildren(...state.layers.map(layerItem));
  }

  function layerItem(row) {
    const showMeter = !row.done && row.current !== null && row.total !== null;
    const value = showMeter ? Math.min(row.current, row.total) : 0;
    return el("li", { class: row.done ? "layer done" : "layer" },
      el("code", { class: "layer-id", text: shortLayer(row.layer) }),
      el("span", { class: "layer-state", text: layerStatus(t, row.status) }),
      el("span", { class: "layer-meter" }, ...(showMeter ? [
        el("progress", { max: row.total, value, "aria-label": t("layerProgress", { layer: shortLayer(row.layer) }) }),
        el("span", { class: "layer-bytes", text: `${formatBytes(value)} / ${formatBytes(row.total)}` }),
      ] : [])));
  }

  function drawPublished() {
    $("published-panel").hidden = !state.published.length;
    $("published-list").replaceChildren(...state.published.map(publishedItem));
  }

  function publishedItem({ reference, digest }) {
    const digestNode = el("code", { class: "digest", text: digest });
    return el("li", { class: "published" },
      el("code", { class: "reference", text: reference }),
      el("span", { class: "digest-line" },
        el("span", { class: "muted", text: t("digestLabel") }), " ", digestNode, " ",
        el("button", {
          type: "button", class: "copy", text: t("copyDigest"), "aria-label": t("copyDigestOf", { reference }),
          onclick: () => copyDigest(digestNode),
        })));
  }

  // The clipboard needs a secure context and the reader's permission; without it, select the text to copy by hand.
  async function copyDigest(node) {
    const note = $("published-copy-note");
    try {
      await navigator.clipboard.writeText(node.textContent);
      flashNote(note, t("copied"));
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      flashNote(note, t("copySelected"));
    }
  }

  function drawResult() {
    const box = $("result");
    const event = state.result;
    box.hidden = !event;
    if (!event) {
      box.replaceChildren();
      return;
    }
    const outcome = event.outcome || {};
    const line = outcome.detail && outcome.detail.line;
    box.className = `result result-${resultStyle(event)}`;
    box.replaceChildren(...[
      el("h3", { text: resultHeading(t, event, state.kind) }),
      hasScore(event) ? el("p", { class: "score", text: t("score", { score: event.score, max: event.max_score }) }) : null,
      el("p", { text: localize(outcome.message) }),
      Number.isInteger(line) && line > 0
        ? el("p", {}, el("button", { type: "button", class: "link line-link", text: t("goToLine", { n: line }), onclick: () => jump(line) }))
        : null,
    ].filter(Boolean));
  }

  async function copyOutput() {
    try {
      await navigator.clipboard.writeText(plainText.join("\n"));
      flashNote($("output-copy-note"), t("copied"));
    } catch (error) {
      flashNote($("output-copy-note"), t("copyFailed"));
    }
  }

  $("output-copy").addEventListener("click", copyOutput);
  return {
    reset, apply, setKind, setStatus,
    get showing() { return state.attempt; },
    get isLive() { return state.isLive; },
  };
}
