import assert from "node:assert/strict";
import { test } from "node:test";
import { cellAfter, cellParts, feedText } from "../src/teaching-cells.js";
import { createI18n } from "../src/i18n.js";

const { t } = createI18n({
  attempts: "{n} attempts", attemptOne: "1 attempt", passed: "passed", failed: "failed",
  event_result: "{learner}: #{attempt} on {exercise}: {result}", event_queued: "{learner} queued #{attempt} ({kind})",
}, "en");

test("a passed cell shows its best score and when; a late submission is marked", () => {
  const parts = cellParts({ status: "passed", attempts: 3, best_score: 5, max_score: 6,
    passed_at: "2026-01-02T03:04:05Z", late_attempts: 1 }, t);
  assert.deepEqual(parts, { status: "passed", score: "✓ 5/6", when: "2026-01-02T03:04:05Z", attempts: null, late: true });
});

test("an attempted cell counts its attempts, in the singular for one", () => {
  assert.equal(cellParts({ status: "attempted", attempts: 1, late_attempts: 0 }, t).attempts, "1 attempt");
  assert.equal(cellParts({ status: "attempted", attempts: 4, late_attempts: 0 }, t).attempts, "4 attempts");
  assert.equal(cellParts({ status: "not_started", attempts: 0, late_attempts: 0 }, t).attempts, null);
});

test("the feed says who did what, and a result with its score", () => {
  const event = { event: "result", attempt: 7, username: "张伟", exercise_slug: "first-dockerfile", passed: false,
    score: 2, max_score: 6, kind: "submit" };
  assert.equal(feedText(event, t), "张伟: #7 on first-dockerfile: failed 2/6");
  assert.equal(feedText({ ...event, event: "queued" }, t), "张伟 queued #7 (submit)");
});

test("a graded submission adds to its cell: one more attempt, the best score, the first pass, late after the due date", () => {
  const empty = { status: "not_started", attempts: 0, late_attempts: 0, best_score: null, max_score: null,
    passed_at: null, due_at: "2026-01-02T00:00:00+00:00" };
  const failed = cellAfter(empty, { passed: false, score: 4, max_score: 6, submitted_at: "2026-01-01T10:00:00+00:00" });
  assert.deepEqual(failed, { ...empty, status: "attempted", attempts: 1, best_score: 4, max_score: 6 });
  const passedLate = cellAfter(failed, { passed: true, score: 6, max_score: 6, submitted_at: "2026-01-03T10:00:00Z" });
  assert.deepEqual(passedLate, { ...failed, status: "passed", attempts: 2, best_score: 6, late_attempts: 1,
    passed_at: "2026-01-03T10:00:00Z" });
  const again = cellAfter(passedLate, { passed: true, score: 5, max_score: 6, submitted_at: "2026-01-04T10:00:00Z" });
  assert.equal(again.passed_at, "2026-01-03T10:00:00Z");
  assert.equal(again.best_score, 6);
  assert.equal(cellAfter({ ...empty, due_at: null }, { passed: false, score: 0, max_score: 6,
    submitted_at: "2030-01-01T00:00:00Z" }).late_attempts, 0);
});
