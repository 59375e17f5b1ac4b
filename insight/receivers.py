"""Insight's answers to what the workers announce: why a step of a learner's build missed the cache."""
from __future__ import annotations

from attempts.models import Attempt
from engine.outcomes import OutcomeKind
from insight.cache import Submitted, explain_miss


def previous_build(attempt: Attempt) -> Attempt | None:
    """The learner's last build of the same exercise before `attempt`: what its cache came from."""
    return (Attempt.objects.of(attempt.user)
            .filter(exercise_id=attempt.exercise_id, kind__in=[Attempt.Kind.TRY, Attempt.Kind.SUBMIT],
                    status=Attempt.Status.FINISHED, id__lt=attempt.id)
            .exclude(outcome_kind=OutcomeKind.REJECTED).order_by("-id").first())


def explain_cache_miss(sender, *, attempt: Attempt, step: int, **kwargs) -> dict | None:
    """The first miss of a build is the one to explain: every step after it misses because it did."""
    if attempt.events.filter(data__type="cache_miss").exists():
        return None
    previous = previous_build(attempt)
    if previous is None:
        return None
    miss = explain_miss(_submitted(previous), _submitted(attempt), step)
    return miss.as_event() if miss else None


def _submitted(attempt: Attempt) -> Submitted:
    return Submitted({path: text.encode() for path, text in attempt.files.items()}, frozenset(attempt.executable))
