"""A class's progress, read from its learners' graded submissions in a constant number of queries whatever the
class size: a cell per learner and exercise, the due date that applies to it, and who is stuck.

The gradebook's rule, said once: an exercise's grade is the best score of the on-time submissions; a submission
after the due date (the learner's extension, else the exercise's, else its lesson's) is kept and marked late, and
counts for nothing.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.models import User
from django.db.models import Case, Count, DateTimeField, Max, Min, Q, QuerySet, Value, When
from django.utils import timezone

from attempts.models import Attempt, AttemptEvent
from course.models import Exercise
from teaching.models import Classroom, Deadline, Extension
from teaching.regrade import applied_results

STUCK_AFTER_FAILURES = 3  # failed submissions in a row on one exercise, never passed
STUCK_IDLE = timedelta(minutes=20)  # since a learner's last submission, which failed, on an exercise not passed
NEVER_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # the due date of an exercise without one, for the database


class Submission(NamedTuple):  # a tuple: a class's page reads a hundred thousand of them
    id: int
    learner_id: int
    exercise_id: int
    created_at: datetime
    passed: bool
    score: int | None
    max_score: int | None
    late: bool


@dataclass
class Cell:
    """A learner's standing on one exercise."""

    attempts: int = 0
    passed_at: datetime | None = None
    best_score: int | None = None
    max_score: int | None = None
    on_time_score: int | None = None  # what the gradebook counts
    late_attempts: int = 0
    due_at: datetime | None = None
    last_at: datetime | None = None  # of the latest submission

    @property
    def status(self) -> str:
        if self.passed_at is not None:
            return "passed"
        return "attempted" if self.attempts else "not_started"

    def add(self, submission: Submission) -> None:
        self.attempts += 1
        self.max_score = submission.max_score
        if submission.score is not None:
            self.best_score = max(self.best_score or 0, submission.score)
        if submission.passed and (self.passed_at is None or submission.created_at < self.passed_at):
            self.passed_at = submission.created_at
        self.last_at = max(self.last_at or submission.created_at, submission.created_at)
        if submission.late:
            self.late_attempts += 1
        elif submission.score is not None:
            self.on_time_score = max(self.on_time_score or 0, submission.score)

    def as_dict(self) -> dict:
        return {"status": self.status, "attempts": self.attempts, "best_score": self.best_score,
                "max_score": self.max_score, "passed_at": self.passed_at.isoformat() if self.passed_at else None,
                "late_attempts": self.late_attempts}


@dataclass
class Stuck:
    learner: User
    exercise: Exercise
    reason: str  # "failures" or "idle"
    failures: int
    last_at: datetime
    check: str | None  # the check they keep failing


class DueDates:
    """The due date of each learner's exercise in a class: their extension, else the exercise's, else its
    lesson's."""

    def __init__(self, classroom: Classroom):
        self.by_exercise: dict[int, datetime] = {}
        self.by_lesson: dict[int, datetime] = {}
        for deadline in Deadline.objects.filter(classroom=classroom):
            if deadline.exercise_id:
                self.by_exercise[deadline.exercise_id] = deadline.due_at
            else:
                self.by_lesson[deadline.lesson_id] = deadline.due_at
        self.extensions = {(e.learner_id, e.exercise_id): e.due_at
                           for e in Extension.objects.filter(classroom=classroom)}

    def of_exercise(self, exercise: Exercise) -> datetime | None:
        return self.by_exercise.get(exercise.id) or self.by_lesson.get(exercise.lesson_id)

    def of(self, learner_id: int, exercise: Exercise) -> datetime | None:
        return self.extensions.get((learner_id, exercise.id)) or self.of_exercise(exercise)

    def of_attempt(self, exercises: Iterable[Exercise]) -> Case:
        """The same due date, of each attempt to `exercises`, as the database computes it; NEVER_DUE for none."""
        extensions = [When(user_id=learner_id, exercise_id=exercise_id, then=Value(due_at))
                      for (learner_id, exercise_id), due_at in self.extensions.items()]
        deadlines = [When(exercise_id=exercise.id, then=Value(due_at))
                     for exercise in exercises if (due_at := self.of_exercise(exercise))]
        return Case(*extensions, *deadlines, default=Value(NEVER_DUE), output_field=DateTimeField())


def class_learners(classroom: Classroom) -> QuerySet:
    return classroom.learners.order_by("username")


def class_exercises(lesson_id: int | None = None) -> list[Exercise]:
    exercises = Exercise.objects.visible().select_related("lesson")
    return list(exercises.filter(lesson_id=lesson_id) if lesson_id else exercises)


def graded_submissions(classroom: Classroom, exercises: Iterable[Exercise], learner_ids: Iterable[int] | None = None,
                       only: QuerySet | None = None) -> Iterator[Submission]:
    """The graded submissions of the class's learners to `exercises` (or `only` those), oldest first, each marked
    late or not, with the result of its applied regrade if it has one."""
    by_id = {exercise.id: exercise for exercise in exercises}
    due = DueDates(classroom)
    regraded = applied_results(classroom)
    learners = learner_ids if learner_ids is not None else class_learners(classroom).values("id")
    rows = ((only if only is not None else Attempt.objects.graded()).filter(user_id__in=learners,
                                                                          exercise_id__in=list(by_id))
            .order_by("created_at", "id")
            .values_list("id", "user_id", "exercise_id", "created_at", "passed", "score", "max_score"))
    due_of: dict[tuple[int, int], datetime | None] = {}
    for attempt_id, learner_id, exercise_id, created_at, passed, score, max_score in rows.iterator(chunk_size=2000):
        if regraded:
            passed, score, max_score = regraded.get(attempt_id, (passed, score, max_score))
        key = (learner_id, exercise_id)
        if key not in due_of:
            due_of[key] = due.of(learner_id, by_id[exercise_id])
        due_at = due_of[key]
        yield Submission(attempt_id, learner_id, exercise_id, created_at, bool(passed), score, max_score,
                         late=due_at is not None and created_at > due_at)


@dataclass
class ClassProgress:
    classroom: Classroom
    learners: list[User]
    exercises: list[Exercise]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    stuck: list[Stuck] = field(default_factory=list)

    def cell(self, learner: User, exercise: Exercise) -> Cell:
        return self.cells.get((learner.id, exercise.id)) or Cell()

    def rows(self, order: str = "name") -> list[tuple[User, list[tuple[Exercise, Cell]], int]]:
        """(learner, (exercise, cell) of each exercise, exercises passed), by name or by progress (most passed
        first, then most attempts)."""
        rows = []
        for learner in self.learners:
            cells = [(exercise, self.cell(learner, exercise)) for exercise in self.exercises]
            rows.append((learner, cells, sum(cell.status == "passed" for _, cell in cells)))
        if order == "progress":
            rows.sort(key=lambda row: (-row[2], -sum(cell.attempts for _, cell in row[1]), row[0].username))
        return rows


def class_progress(classroom: Classroom, lesson_id: int | None = None, now: datetime | None = None) -> ClassProgress:
    learners = list(class_learners(classroom))
    exercises = class_exercises(lesson_id)
    progress = ClassProgress(classroom, learners, exercises)
    due = DueDates(classroom)
    for learner in learners:
        for exercise in exercises:
            progress.cells[learner.id, exercise.id] = Cell(due_at=due.of(learner.id, exercise))
    _add_graded_submissions(progress, due)
    progress.stuck = _stuck(progress, now or timezone.now())
    return progress


def _add_graded_submissions(progress: ClassProgress, due: DueDates) -> None:
    """Fill the cells with the class's graded submissions, counted by the database a cell at a time; only the
    submissions an applied regrade gave another result are read one by one."""
    regraded = applied_results(progress.classroom)
    learner_ids = [learner.id for learner in progress.learners]
    submissions = Attempt.objects.graded().filter(user_id__in=learner_ids,
                                                  exercise_id__in=[exercise.id for exercise in progress.exercises])
    late = Q(created_at__gt=due.of_attempt(progress.exercises))
    totals = ((submissions.exclude(id__in=list(regraded)) if regraded else submissions)
              .values("user_id", "exercise_id").order_by()
              .annotate(attempts=Count("id"), best_score=Max("score"), max_score=Max("max_score"),
                        passed_at=Min("created_at", filter=Q(passed=True)), last_at=Max("created_at"),
                        late_attempts=Count("id", filter=late), on_time_score=Max("score", filter=~late)))
    for total in totals:
        cell = progress.cells[total.pop("user_id"), total.pop("exercise_id")]
        for name, value in total.items():
            setattr(cell, name, value)
    if regraded:
        for submission in graded_submissions(progress.classroom, progress.exercises, learner_ids,
                                             only=submissions.filter(id__in=list(regraded))):
            progress.cells[submission.learner_id, submission.exercise_id].add(submission)


def _stuck(progress: ClassProgress, now: datetime) -> list[Stuck]:
    """Who failed every submission to an exercise they have not passed: STUCK_AFTER_FAILURES of them, or fewer
    and none for STUCK_IDLE."""
    learners = {learner.id: learner for learner in progress.learners}
    exercises = {exercise.id: exercise for exercise in progress.exercises}
    found = {}
    for key, cell in progress.cells.items():
        if not cell.attempts or cell.passed_at is not None:
            continue
        if cell.attempts >= STUCK_AFTER_FAILURES:
            found[key] = "failures"
        elif now - cell.last_at >= STUCK_IDLE:
            found[key] = "idle"
    checks = most_failed_check(found)
    stuck = [Stuck(learners[key[0]], exercises[key[1]], reason, progress.cells[key].attempts,
                   progress.cells[key].last_at, checks.get(key)) for key, reason in found.items()]
    return sorted(stuck, key=lambda entry: (-entry.failures, entry.last_at))


def most_failed_check(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """For each (learner, exercise) whose submissions all failed, the check that failed in most of them (one
    query for all)."""
    keys = set(keys)
    if not keys:
        return {}
    rows = (AttemptEvent.objects.filter(attempt__in=Attempt.objects.graded(), data__type="check", data__passed=False,
                                        attempt__user_id__in={learner for learner, _ in keys},
                                        attempt__exercise_id__in={exercise for _, exercise in keys})
            .values_list("attempt__user_id", "attempt__exercise_id", "data__id"))
    counts: dict[tuple[int, int], Counter] = defaultdict(Counter)
    for learner_id, exercise_id, check in rows.iterator(chunk_size=2000):
        if (learner_id, exercise_id) in keys:
            counts[learner_id, exercise_id][check] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in counts.items()}
