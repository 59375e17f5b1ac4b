// The attempt the page follows as it runs: the build buttons, the frames of the socket, and the replay that picks
// up an attempt exactly where its stream stopped after a reload or a dropped connection.
import { $, el } from "./dom.js";

const EARLY_EVENTS_KEPT = 1000;

// app: {data, i18n, state, socket, workspace, drafts, output, lint, publish, history, messages}.
export function createLive(app) {
  const { t, localize } = app.i18n;
  let live = null; // {id, number, kind, lastSeq, events, finished, cancelRequested}
  const early = []; // events that beat their "accepted" frame

  function onFrame(frame) {
    if (frame.type === "lint") onLint(Array.isArray(frame.findings) ? frame.findings : []);
    else if (frame.type === "accepted") onAccepted(frame);
    else if (Number.isInteger(frame.seq)) onEvent(frame);
    else if (frame.type === "error") onErrorFrame(frame);
  }

  function onLint(findings) {
    app.state.lintPending = false;
    updateButtons();
    app.lint.show(findings);
  }

  function onAccepted(frame) {
    app.state.pendingStart = false;
    watch(Number(frame.attempt), frame.kind, false, frame.number);
    app.publish.onAccepted(frame);
    for (const event of early.splice(0)) onEvent(event);
    revealRunPane();
    app.history.load();
  }

  // On a phone the run pane sits below the editor: bring its status into view so the build is seen to start.
  function revealRunPane() {
    const status = $("attempt-status");
    const box = status.getBoundingClientRect();
    if (box.top >= 0 && box.bottom <= window.innerHeight) return;
    const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    status.scrollIntoView({ behavior: smooth ? "smooth" : "auto", block: "start" });
  }

  // Starts following an attempt: clears the panes and, when asked, replays its events from the start.
  function watch(id, kind, subscribe, number = null) {
    live = { id, number: number || null, kind: kind || null, lastSeq: 0, events: [], finished: false, cancelRequested: false };
    showOutput();
    if (subscribe) app.socket.send({ type: "subscribe", attempt: id, after: 0 });
    updateButtons();
  }

  function onEvent(event) {
    if (!live || Number(event.attempt) !== live.id) {
      if (app.state.pendingStart && early.length < EARLY_EVENTS_KEPT) early.push(event);
      return;
    }
    if (event.seq <= live.lastSeq) return; // seen already: a replay overlapping what came live
    live.lastSeq = event.seq;
    if (!live.number && event.number) live.number = event.number;
    live.events.push(event);
    if (event.type === "result") onResult(event);
    if (app.output.isLive && app.output.showing === live.id) app.output.apply(event);
    updateButtons();
  }

  function onResult(event) {
    live.finished = true;
    app.messages.clearAbout(live.id);
    if (event.passed === true) $("next-exercise")?.removeAttribute("hidden");
    app.publish.afterResult(live, event);
    app.history.load();
  }

  // The exercise's badge, from the learner's attempts as the history lists them, as the server draws it: passed
  // with the best score, else how many graded submits, else not started.
  function showProgress(list) {
    const holder = $("exercise-status");
    const graded = list.filter((item) => item.kind === "submit" && item.status === "finished" && item.passed !== null);
    if (!holder || !graded.length) return;
    const best = Math.max(...graded.map((item) => item.score || 0));
    const max = Math.max(...graded.map((item) => item.max_score || 0));
    const badge = graded.some((item) => item.passed)
      ? el("span", { class: "status passed", text: max ? `${t("statusPassed")} · ${t("bestScore", { best, max })}` : t("statusPassed") })
      : el("span", { class: "status attempted", text: t(graded.length === 1 ? "attemptsOne" : "attemptsMany", { n: graded.length }) });
    holder.replaceChildren(badge);
  }

  function onErrorFrame(frame) {
    const attempt = frame.attempt === undefined || frame.attempt === null ? null : Number(frame.attempt);
    if (app.publish.refused(frame, attempt)) return;
    app.messages.show(localize(frame.message) || t("errorCode", { code: frame.code }), "error", attempt);
    if (frame.code === "busy") {
      // Someone (another tab, or this one before a reload) is running an attempt: follow it so it can be cancelled.
      app.state.pendingStart = false;
      if (attempt !== null && !(live && live.id === attempt && !live.finished)) watch(attempt, null, true);
    } else if (live && attempt === live.id && !live.finished) {
      if (frame.code === "not_found") live.finished = true;
      if (frame.code === "not_running") app.socket.send({ type: "subscribe", attempt: live.id, after: live.lastSeq });
    } else if (attempt === null) {
      // A refused request names no attempt: whatever was waiting for an answer will not get one.
      app.state.pendingStart = false;
      app.state.lintPending = false;
    }
    updateButtons();
  }

  // After (re)connecting, pick up the attempt being watched exactly where its stream stopped.
  function onConnected() {
    if (live && !live.finished) {
      app.socket.send({ type: "subscribe", attempt: live.id, after: live.lastSeq });
    } else if (app.state.pendingStart) {
      // The socket dropped between "submit" and "accepted": the attempt may exist; the history will tell.
      app.state.pendingStart = false;
      app.history.load().then(adoptRunningAttempt);
    }
    updateButtons();
  }

  function onDisconnected() {
    app.state.lintPending = false;
    app.publish.stopAwaiting();
    updateButtons();
  }

  function adoptRunningAttempt() {
    const running = app.history.list().find((item) => item.status === "queued" || item.status === "running");
    if (running && !(live && live.id === running.id)) watch(running.id, running.kind, true, running.number);
  }

  // After a reload the page knows only the running attempt's id; the history tells whether it is a try or a submit.
  function learnKind(list) {
    if (!live || live.kind) return;
    const item = list.find((entry) => entry.id === live.id);
    if (!item) return;
    live.kind = item.kind;
    if (app.output.isLive && app.output.showing === live.id) app.output.setKind(live.kind);
    const result = live.events.find((event) => event.type === "result");
    if (result && live.kind === "publish") app.publish.announceResult(live.id, result);
  }

  // The followed attempt's events, drawn again into the output pane (after a stored attempt was shown there).
  function showOutput() {
    if (!live) return;
    app.output.reset(live.id, live.kind, true, app.workspace.goToLine, live.number);
    $("output-back").hidden = true;
    for (const event of live.events) app.output.apply(event);
  }

  function filesToSend() {
    return app.workspace.checkLimits() ? app.workspace.files() : null;
  }

  function runLint() {
    if (app.state.lintPending) return;
    const files = filesToSend();
    if (!files) return;
    app.messages.clear();
    if (app.socket.send({ type: "lint", exercise: app.data.exercise, files, executable: app.workspace.executable() })) {
      app.state.lintPending = true;
      app.lint.showPending();
    }
    updateButtons();
  }

  function start(kind) {
    const files = filesToSend();
    if (!files) return;
    app.messages.clear();
    app.drafts.saveNow();
    if (app.socket.send({ type: kind, exercise: app.data.exercise, files, executable: app.workspace.executable() })) {
      app.state.pendingStart = true;
      app.output.setStatus(t("sending"));
    }
    updateButtons();
  }

  function cancel() {
    if (!live || live.finished) return;
    if (app.socket.send({ type: "cancel", attempt: live.id })) {
      live.cancelRequested = true;
      app.output.setStatus(t("cancelling", { id: live.number || live.id }));
    }
    updateButtons();
  }

  function updateButtons() {
    const open = app.socket.open;
    const running = Boolean(live && !live.finished) || app.state.pendingStart;
    const blocked = Boolean(app.state.limitProblem);
    const focused = document.activeElement;
    // Lint stays enabled while it waits (a click then does nothing), so the keyboard focus is never pulled away.
    $("action-lint").disabled = !open || blocked;
    $("action-try").disabled = !open || running || blocked;
    $("action-submit").disabled = !open || running || blocked;
    $("action-cancel").disabled = !open || !live || live.finished || live.cancelRequested;
    $("publish-button").disabled = !open || running || !app.publish.source;
    $("action-lint").setAttribute("aria-busy", String(app.state.lintPending));
    // A button that disables itself under the reader's keyboard would drop focus to the page: move it somewhere useful.
    if (focused && focused.disabled && focused.closest(".actions")) {
      const next = ["action-cancel", "action-try", "action-lint"].map($).find((button) => !button.disabled);
      (next || $("attempt-status")).focus();
    } else if (focused && focused.disabled && focused.id === "publish-button") {
      $("publish-status").focus();
    }
  }

  function showConnection(status, params = {}) {
    const node = $("connection-status");
    node.dataset.state = status;
    node.replaceChildren(t(`connection_${status}`, params));
    if (status === "loggedOut") {
      const next = encodeURIComponent(location.pathname);
      node.append(" ", el("a", { href: `${app.data.urls.login}?next=${next}`, text: t("logInAgain") }));
    }
  }

  const clicks = {
    "action-lint": runLint, "action-try": () => start("try"), "action-submit": () => start("submit"),
    "action-cancel": cancel, "output-back": showOutput,
  };
  for (const [id, handler] of Object.entries(clicks)) $(id).addEventListener("click", handler);

  return {
    onFrame, onConnected, onDisconnected, showConnection, updateButtons, watch, learnKind, showOutput, showProgress,
    get current() { return live; },
  };
}
