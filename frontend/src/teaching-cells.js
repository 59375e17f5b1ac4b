// What a cell of the class matrix and a line of the activity feed say, from the news of the class's socket
// (teaching.live). Pure: the dashboard draws what these return.

// cell: {status, attempts, best_score, max_score, passed_at, late_attempts} as teaching.progress sends it.
export function cellParts(cell, t) {
  const parts = { status: cell.status, score: null, when: null, attempts: null, late: cell.late_attempts > 0 };
  if (cell.status === "passed") {
    parts.score = `✓ ${cell.best_score}/${cell.max_score}`;
    parts.when = cell.passed_at;
  } else if (cell.status === "attempted") {
    parts.attempts = cell.attempts === 1 ? t("attemptOne") : t("attempts", { n: cell.attempts });
  }
  return parts;
}

// The cell after one more graded submission, from the class's news alone (teaching.live sends no cell): the
// gradebook's rule as teaching.progress says it — a submission after the cell's due date is counted late.
// cell: as above, with due_at; event: {passed, score, max_score, submitted_at}.
export function cellAfter(cell, event) {
  const late = Boolean(cell.due_at) && Date.parse(event.submitted_at) > Date.parse(cell.due_at);
  const next = { ...cell, attempts: cell.attempts + 1, max_score: event.max_score ?? cell.max_score,
    late_attempts: cell.late_attempts + (late ? 1 : 0) };
  if (event.score !== null && event.score !== undefined) next.best_score = Math.max(cell.best_score ?? 0, event.score);
  if (event.passed === true && !cell.passed_at) next.passed_at = event.submitted_at;
  next.status = next.passed_at ? "passed" : "attempted";
  return next;
}

// event: {event: "queued" | "started" | "result", attempt, kind, username, exercise_slug, passed, score, max_score}
export function feedText(event, t) {
  const params = { learner: event.username, attempt: event.attempt, exercise: event.exercise_slug, kind: event.kind };
  if (event.event === "result") {
    let result = event.passed === true ? t("passed") : event.passed === false ? t("failed") : event.status;
    if (event.score !== null && event.score !== undefined) result += ` ${event.score}/${event.max_score}`;
    return t("event_result", { ...params, result });
  }
  return t(`event_${event.event}`, params);
}
