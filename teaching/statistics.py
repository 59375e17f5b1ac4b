"""Per-exercise statistics of a class: pass rate, attempts to pass, time to the first pass, and the checks and
failure messages behind the failures. Every number links to the attempts it counts (dashboard.attempt_list)."""
from __future__ import annotations

import statistics as stats
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from attempts.models import AttemptEvent
from course.models import Exercise, in_language
from teaching.access import instructor_required, taught_class
from teaching.dashboard import message_key
from teaching.progress import class_exercises, class_learners, graded_submissions
from teaching.strings import dashboard_strings

MESSAGES_SHOWN = 10


@dataclass
class ExerciseStatistics:
    exercise: Exercise
    learners: int
    attempted: int = 0
    passed: int = 0
    submissions: int = 0
    attempts_to_pass: list[int] = field(default_factory=list)  # one per learner who passed
    times_to_pass: list[timedelta] = field(default_factory=list)  # first submission to first pass

    @property
    def pass_rate(self) -> float | None:
        """Of the learners of the class, the share who passed, in percent."""
        return round(100 * self.passed / self.learners, 1) if self.learners else None

    @property
    def median_attempts_to_pass(self) -> float | None:
        return stats.median(self.attempts_to_pass) if self.attempts_to_pass else None

    @property
    def median_time_to_pass(self) -> timedelta | None:
        return timedelta(seconds=stats.median(t.total_seconds() for t in self.times_to_pass)) \
            if self.times_to_pass else None

    def histogram(self) -> list[tuple[int, int]]:
        """(attempts it took, learners who passed after that many)."""
        counts = Counter(self.attempts_to_pass)
        return [(n, counts[n]) for n in range(1, max(counts, default=0) + 1)]


def class_statistics(classroom, exercises: list[Exercise]) -> list[ExerciseStatistics]:
    """One pass over the class's graded submissions, in a constant number of queries."""
    learners = class_learners(classroom).count()
    by_exercise = {exercise.id: ExerciseStatistics(exercise, learners) for exercise in exercises}
    tried: dict[tuple[int, int], list] = defaultdict(list)  # (learner, exercise) -> [submissions, first at, passed]
    for submission in graded_submissions(classroom, exercises):
        entry = by_exercise[submission.exercise_id]
        entry.submissions += 1
        state = tried[submission.learner_id, submission.exercise_id]
        if not state:
            state.extend([0, submission.created_at, False])
            entry.attempted += 1
        if state[2]:
            continue
        state[0] += 1
        if submission.passed:
            state[2] = True
            entry.passed += 1
            entry.attempts_to_pass.append(state[0])
            entry.times_to_pass.append(submission.created_at - state[1])
    return list(by_exercise.values())


@dataclass(frozen=True)
class Failure:
    check: str
    count: int
    messages: list[tuple[str, str, int]]  # (message in the active language, its key, count)


def failures(classroom, exercise: Exercise) -> list[Failure]:
    """The checks that failed in the class's graded submissions of `exercise`, most failed first, each with its
    failure messages grouped and counted."""
    attempt_ids = [s.id for s in graded_submissions(classroom, [exercise])]
    events = AttemptEvent.objects.filter(attempt_id__in=attempt_ids, data__type="check", data__passed=False)
    per_check: Counter = Counter()
    per_message: dict[str, Counter] = defaultdict(Counter)
    texts: dict[str, str] = {}
    for check, message in events.values_list("data__id", "data__message").iterator(chunk_size=2000):
        key = message_key(message)
        per_check[check] += 1
        per_message[check][key] += 1
        texts[key] = in_language(message) if isinstance(message, dict) else str(message)
    return [Failure(check, count, [(texts[key], key, n) for key, n in per_message[check].most_common(MESSAGES_SHOWN)])
            for check, count in per_check.most_common()]


@instructor_required
def overview(request: HttpRequest, class_id: int) -> HttpResponse:
    classroom = taught_class(request, class_id)
    rows = class_statistics(classroom, class_exercises())
    chart = {"kind": "bar", "label": dashboard_strings()["passRate"], "max": 100,
             "labels": [row.exercise.slug for row in rows], "values": [row.pass_rate or 0 for row in rows]}
    return render(request, "teaching/statistics.html", {"classroom": classroom, "rows": rows, "charts": [chart],
                                                         "strings": dashboard_strings()})


@instructor_required
def exercise_statistics(request: HttpRequest, class_id: int, slug: str) -> HttpResponse:
    classroom = taught_class(request, class_id)
    exercise = get_object_or_404(Exercise.objects.select_related("lesson"), slug=slug)
    row = class_statistics(classroom, [exercise])[0]
    failed = failures(classroom, exercise)
    strings = dashboard_strings()
    charts = [
        {"kind": "bar", "label": strings["learners"], "title": strings["attemptsToPass"],
         "labels": [str(n) for n, _ in row.histogram()], "values": [count for _, count in row.histogram()]},
        {"kind": "bar", "label": strings["failures"], "horizontal": True,
         "labels": [failure.check for failure in failed], "values": [failure.count for failure in failed]},
    ]
    return render(request, "teaching/exercise_statistics.html", {
        "classroom": classroom, "exercise": exercise, "row": row, "failures": failed, "charts": charts,
        "strings": strings})
