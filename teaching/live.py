"""The news of a class, for its instructors' dashboard: when a learner of the class queues, starts or finishes an
attempt, a short summary goes to the group of each class they are in. It names the learner, the exercise and the
result, and the learner's new matrix cell after a graded submission; never the files or the log.

The work (finding the learner's classes, computing the cell) happens on a thread of its own once the event is
committed, so that it never delays the event on its way to the learner; one thread keeps the news in order.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from attempts import news
from attempts.models import Attempt, AttemptEvent
from teaching.models import Classroom, Enrollment
from teaching.progress import cell_of

log = logging.getLogger(__name__)

LIVE_EVENTS = {"queued", "started", "result"}
_news = ThreadPoolExecutor(max_workers=1, thread_name_prefix="class-news")


def announce_to_classes(sender, instance: AttemptEvent, created: bool, **kwargs) -> None:
    """post_save of AttemptEvent: every event of every attempt passes here, so anything else returns at once."""
    if not created or instance.data.get("type") not in LIVE_EVENTS:
        return
    attempt_id, event = instance.attempt_id, instance.data
    transaction.on_commit(lambda: _news.submit(_announce, attempt_id, event))


def _announce(attempt_id: int, event: dict) -> None:
    close_old_connections()
    try:
        announce(attempt_id, event)
    except Exception:  # the dashboard misses one piece of news; the attempt itself is unaffected
        log.exception("could not announce event %s of attempt %s to its classes", event.get("seq"), attempt_id)
    finally:
        connection.close()  # nothing of this thread's may outlive the piece of news it sent


def announce(attempt_id: int, event: dict) -> None:
    attempt = Attempt.objects.select_related("user", "exercise").filter(id=attempt_id).first()
    if attempt is None or attempt.kind == Attempt.Kind.REGRADE:  # gone, or the instructors' own work
        return
    classes = list(Classroom.objects.filter(
        id__in=Enrollment.objects.filter(learner_id=attempt.user_id).values("classroom_id")))
    if not classes:
        return
    summary = activity(attempt, event)
    graded = event["type"] == "result" and Attempt.objects.graded().filter(id=attempt.id).exists()
    for classroom in classes:
        message = {**summary, "cell": cell_of(classroom, attempt.user_id, attempt.exercise).as_dict()} \
            if graded else summary
        news.announce(classroom.group, message)


def activity(attempt: Attempt, event: dict) -> dict:
    """What the activity feed shows of one event of an attempt."""
    return {
        "type": "activity", "event": event["type"], "attempt": attempt.id, "kind": attempt.kind,
        "learner": attempt.user_id, "username": attempt.user.get_username(),
        "exercise": attempt.exercise_id, "exercise_slug": attempt.exercise.slug,
        "status": event.get("status"), "passed": event.get("passed"), "score": event.get("score"),
        "max_score": event.get("max_score"), "seq": event["seq"], "at": timezone.now().isoformat(),
    }
