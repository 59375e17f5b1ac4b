"""Per-exercise statistics of a class: pass rate, attempts to pass, time to the first pass, and the checks and
failure messages behind the failures. Every number links to the attempts it counts (dashboard.attempt_list)."""
from __future__ import annotations

import statistics as stats
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from attempts.models import Attempt, AttemptEvent
from course.models import Exercise, in_language
from teaching.access import instructor_required, taught_class
from teaching.dashboard import message_key
from teaching.progress import class_exercises, class_learners, graded_submissions
from teaching.regrade import applied_results
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
    """The class's graded submissions counted by the database a learner and exercise at a time, in a constant
    number of queries; a class with applied regrades is read a submission at a time, since they change results."""
    learners = class_learners(classroom).count()
    by_exercise = {exercise.id: ExerciseStatistics(exercise, learners) for exercise in exercises}
    tallies = _tallies_regraded(classroom, exercises) if applied_results(classroom) else _tallies(classroom, exercises)
    for exercise_id, submissions, first_at, passed_at, attempts_to_pass in tallies:
        entry = by_exercise[exercise_id]
        entry.attempted += 1
        entry.submissions += submissions
        if passed_at is not None:
            entry.passed += 1
            entry.attempts_to_pass.append(attempts_to_pass)
            entry.times_to_pass.append(passed_at - first_at)
    return list(by_exercise.values())


Tally = tuple[int, int, datetime, datetime | None, int | None]  # exercise, submissions, first, first pass, attempts


def class_submissions(classroom, exercises: list[Exercise]) -> QuerySet:
    """The graded submissions of the class's learners to `exercises`, as the database reads them."""
    return Attempt.objects.graded().filter(user__in=class_learners(classroom).values("id"),
                                           exercise_id__in=[exercise.id for exercise in exercises])


def _tallies(classroom, exercises: list[Exercise]) -> Iterator[Tally]:
    """Per learner and exercise: submissions, the first one's time, the first pass's and how many it took."""
    submissions = class_submissions(classroom, exercises)
    first_pass = (Attempt.objects.graded().filter(user_id=OuterRef("user_id"), exercise_id=OuterRef("exercise_id"),
                                                  passed=True).order_by("created_at").values("created_at")[:1])
    rows = (submissions.values("user_id", "exercise_id").order_by()
            .annotate(submissions=Count("id"), first_at=Min("created_at"),
                      passed_at=Min("created_at", filter=Q(passed=True)),
                      before_pass=Count("id", filter=Q(created_at__lt=Subquery(first_pass))))
            .values_list("exercise_id", "submissions", "first_at", "passed_at", "before_pass"))
    for exercise_id, count, first_at, passed_at, before_pass in rows.iterator(chunk_size=2000):
        yield exercise_id, count, first_at, passed_at, before_pass + 1 if passed_at else None


def _tallies_regraded(classroom, exercises: list[Exercise]) -> Iterator[Tally]:
    """The same, from each submission with the result its applied regrade gave it."""
    tried: dict[tuple[int, int], list] = {}  # -> [exercise, submissions, first at, first pass at, attempts to it]
    for submission in graded_submissions(classroom, exercises):
        state = tried.setdefault((submission.learner_id, submission.exercise_id),
                                 [submission.exercise_id, 0, submission.created_at, None, None])
        state[1] += 1
        if submission.passed and state[3] is None:
            state[3], state[4] = submission.created_at, state[1]
    yield from (tuple(state) for state in tried.values())


@dataclass(frozen=True)
class Failure:
    check: str
    count: int
    messages: list[tuple[str, str, int]]  # (message in the active language, its key, count)


def failures(classroom, exercise: Exercise) -> list[Failure]:
    """The checks that failed in the class's graded submissions of `exercise`, most failed first, each with its
    failure messages grouped and counted."""
    events = AttemptEvent.objects.filter(attempt__in=class_submissions(classroom, [exercise]), data__type="check",
                                         data__passed=False)
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
