"""The news of a class, for its instructors' dashboard: when a learner of the class queues, starts or finishes an
attempt, a short summary goes to the group of each class they are in. It names the learner, the exercise and the
result, and the learner's new matrix cell after a graded submission; never the files or the log."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from attempts import news
from attempts.models import Attempt, AttemptEvent
from teaching.models import Classroom, Enrollment
from teaching.progress import cell_of

LIVE_EVENTS = {"queued", "started", "result"}


def announce_to_classes(sender, instance: AttemptEvent, created: bool, **kwargs) -> None:
    """post_save of AttemptEvent: every event of every attempt passes here, so anything else returns at once."""
    if not created or instance.data.get("type") not in LIVE_EVENTS:
        return
    attempt = Attempt.objects.select_related("user", "exercise").get(id=instance.attempt_id)
    if attempt.kind == Attempt.Kind.REGRADE:  # the instructors' own work: its page shows its progress
        return
    classes = list(Classroom.objects.filter(
        id__in=Enrollment.objects.filter(learner_id=attempt.user_id).values("classroom_id")))
    if not classes:
        return
    summary = activity(attempt, instance.data)
    graded = instance.data["type"] == "result" and Attempt.objects.graded().filter(id=attempt.id).exists()
    for classroom in classes:
        message = {**summary, "cell": cell_of(classroom, attempt.user_id, attempt.exercise).as_dict()} \
            if graded else summary
        transaction.on_commit(lambda group=classroom.group, message=message: news.announce(group, message))


def activity(attempt: Attempt, event: dict) -> dict:
    """What the activity feed shows of one event of an attempt."""
    return {
        "type": "activity", "event": event["type"], "attempt": attempt.id, "kind": attempt.kind,
        "learner": attempt.user_id, "username": attempt.user.get_username(),
        "exercise": attempt.exercise_id, "exercise_slug": attempt.exercise.slug,
        "status": event.get("status"), "passed": event.get("passed"), "score": event.get("score"),
        "max_score": event.get("max_score"), "seq": event["seq"], "at": timezone.now().isoformat(),
    }
