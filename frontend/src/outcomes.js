// How an attempt ended, in words and in a colour: for the result box, the status line, the terminal's last line
// and the history table. Pure functions of protocol data.

const isOk = (outcome) => Boolean(outcome && outcome.kind === "ok");

export function resultHeading(t, event, kind) {
  const ok = isOk(event.outcome);
  if (event.status === "cancelled") return t("resultCancelled");
  if (kind === "publish") return ok ? t("resultPublished") : t("resultNotPublished");
  if (event.status === "failed") return t("resultFailed");
  if (event.passed === true) return t("resultPassed");
  if (event.passed === false) return t("resultNotPassed");
  return ok ? t("resultRan") : t("resultProblem");
}

// ok: passed, or a try that built and ran; warn: graded but not passed; error: it could not build or run.
export function resultStyle(event) {
  if (event.status === "cancelled") return "dim";
  if (event.status === "failed" || !isOk(event.outcome)) return "error";
  return event.passed === false ? "warn" : "ok";
}

// The terminal's colour for each result style.
export const TERMINAL_STYLE = { ok: "ok", warn: "info", error: "error", dim: "dim" };

// Graded attempts carry a score; a try, a publish and an attempt that was not graded do not.
export function hasScore(event) {
  return Number.isInteger(event.score) && Number.isInteger(event.max_score) && event.passed !== null;
}

export function resultSummary(t, event, kind, number = event.number || event.attempt) {
  const head = `${t("attemptN", { id: number })}: ${resultHeading(t, event, kind)}`;
  return hasScore(event) ? `${head} · ${t("score", { score: event.score, max: event.max_score })}` : head;
}

// One row of the history (GET .../attempts): its status, kind and outcome kind, without the events.
export function historyOutcome(t, item) {
  if (item.status === "queued") return t("statusQueued");
  if (item.status === "running") return t("statusRunning");
  if (item.status === "cancelled") return t("resultCancelled");
  if (item.kind === "publish") return item.outcome === "ok" ? t("resultPublished") : t("resultNotPublished");
  if (item.kind === "try" && item.outcome) return item.outcome === "ok" ? t("resultRan") : t("resultProblem");
  if (item.status === "failed") return t("resultFailed");
  if (item.passed === true) return t("resultPassed");
  if (item.passed === false) return t("resultNotPassed");
  return t("statusFinished");
}

// A check worth no points is advice (an optional style rule): it is shown, but never as a failure.
export function checkState(event) {
  if (event.passed === true) return "passed";
  return event.max_points === 0 ? "advice" : "failed";
}

// Whether an attempt ended in a way that says its files build and run.
export function endedWell(result) {
  return Boolean(result && result.status === "finished" && isOk(result.outcome));
}
