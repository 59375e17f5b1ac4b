"""The news of a class, for its instructors' dashboard: when a learner of the class queues, starts or finishes an
attempt, a short summary goes to the group of each class they are in. It names the learner, the exercise and the
result, and whether the submission was graded and when it was made, so that the page redraws the learner's cell
from the news itself; never the files or the log.

The news leaves the way the learner's own stream does: sent on the channel layer once the event's transaction
commits, right beside it. Finding the learner's classes is the one query it adds, made while the event is stored;
nothing else is read, so an instructor hears of a result as soon as the learner does.
"""
from __future__ import annotations

from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from attempts import news
from attempts.models import Attempt, AttemptEvent
from course.models import Exercise
from teaching.models import Classroom, Enrollment

LIVE_EVENTS = {"queued", "started", "result"}


def announce_to_classes(sender, instance: AttemptEvent, created: bool, **kwargs) -> None:
    """post_save of AttemptEvent: every event of every attempt passes here, so anything else returns at once."""
    if not created or instance.data.get("type") not in LIVE_EVENTS:
        return
    attempt = instance.attempt  # the attempt the event was stored for: read already
    if attempt.kind == Attempt.Kind.REGRADE:  # the instructors' own work, not the learner's
        return
    enrollments = list(Enrollment.objects.filter(learner_id=attempt.user_id)
                       .values_list("classroom_id", "learner__username"))
    if not enrollments:
        return
    summary = activity(attempt, instance.data, username=enrollments[0][1])
    groups = [Classroom.group_of(classroom_id) for classroom_id, _username in enrollments]
    transaction.on_commit(lambda: [news.announce(group, summary) for group in groups])


def activity(attempt: Attempt, event: dict, username: str) -> dict:
    """What the activity feed shows of one event of an attempt; of a graded submission's result, also what its
    cell needs (teaching-cells.js adds it to the cell the page shows)."""
    summary = {
        "type": "activity", "event": event["type"], "attempt": attempt.id, "number": attempt.number,
        "kind": attempt.kind, "learner": attempt.user_id, "username": username,
        "exercise": attempt.exercise_id, "exercise_slug": exercise_slug(attempt.exercise_id),
        "status": event.get("status"), "passed": event.get("passed"), "score": event.get("score"),
        "max_score": event.get("max_score"), "seq": event["seq"], "at": timezone.now().isoformat(),
    }
    if event["type"] == "result":
        # Attempt.objects.graded(): a submission that finished (an infrastructure failure ends it as "failed")
        summary["graded"] = attempt.kind == Attempt.Kind.SUBMIT and event.get("status") == Attempt.Status.FINISHED
        summary["submitted_at"] = attempt.created_at.isoformat()
    return summary


@lru_cache(maxsize=4096)
def exercise_slug(exercise_id: int) -> str:
    """An exercise keeps its slug (sync_course finds exercises by it), so each is read once per process."""
    return Exercise.objects.filter(id=exercise_id).values_list("slug", flat=True).first() or ""
