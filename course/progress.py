"""A learner's progress per exercise, derived from their graded attempts (never stored twice)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Max

from attempts.models import Attempt
from course.models import Exercise


class Status(StrEnum):
    NOT_STARTED = "not_started"
    ATTEMPTED = "attempted"
    PASSED = "passed"


@dataclass(frozen=True)
class ExerciseProgress:
    status: Status
    attempts: int = 0
    best_score: int | None = None  # the best score of a graded submit, out of max_score
    max_score: int | None = None


NOT_STARTED = ExerciseProgress(Status.NOT_STARTED)


def progress_for(user, exercises: Iterable[Exercise]) -> dict[int, ExerciseProgress]:
    """Progress of `user` on each exercise, by exercise id, in one query."""
    ids = [exercise.id for exercise in exercises]
    if not user.is_authenticated:
        return {exercise_id: NOT_STARTED for exercise_id in ids}
    rows = (
        Attempt.objects.graded().of(user).filter(exercise_id__in=ids)
        .values("exercise_id").annotate(attempts=Count("id"), passed=Max("passed"), best=Max("score"),
                                        most=Max("max_score"))
    )
    found = {
        row["exercise_id"]: ExerciseProgress(Status.PASSED if row["passed"] else Status.ATTEMPTED, row["attempts"],
                                             row["best"], row["most"])
        for row in rows
    }
    return {exercise_id: found.get(exercise_id, NOT_STARTED) for exercise_id in ids}
