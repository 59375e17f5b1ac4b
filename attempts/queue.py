"""Where each waiting attempt stands in the queue and how long it will wait, told to it whenever that changes.

The queue is the queued attempts in the order workers claim them (attempts.leases.CLAIM_ORDER: oldest first, a
learner's own before any regrade).
Positions are read from it in one query, by one announcer at a time (`serialized`, held by a submit from before
its attempt is numbered): counted by concurrent transactions, which cannot see each other's new rows, two learners
would both be told they are first. Every change of the queue (an attempt queued, claimed, cancelled while waiting or
queued again) is followed by an announcement, which gives a `queued` event to each attempt whose position moved.

The wait is estimated from measured durations: how long recent attempts of the same exercise and kind took from
claim to result, run through the workers in queue order (each waiting attempt starts when the first worker frees
up, after what runs now and what waits before it). bench/sandbox.py prints how far the estimate is from the wait
measured.
"""
from __future__ import annotations

import datetime
import heapq
import statistics

from django.conf import settings
from django.db import connection
from django.db.models import DurationField, ExpressionWrapper, F
from django.utils import timezone

from attempts.leases import CLAIM_ORDER, renew_interval
from attempts.models import Attempt, AttemptEvent, Worker

DEFAULT_SECONDS_PER_JOB = 5.0  # before anything has been measured
RECENT = 20  # finished attempts of one exercise and kind that its duration is measured over
QUEUE_LOCK = 0x4C4C5155  # the PostgreSQL advisory lock that lets one announcer in at a time ("LLQU")


def serialized() -> None:
    """Let one announcer at a time read the queue and tell positions, until the caller's transaction ends, so
    that what it tells is never overtaken by an older read. SQLite's IMMEDIATE transactions already admit one
    writer at a time; PostgreSQL takes an advisory lock (not the rows' locks: workers claim with SKIP LOCKED and
    would pass over rows an announcer held)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [QUEUE_LOCK])


def changed_places() -> list[tuple[Attempt, dict]]:
    """Each waiting attempt whose place differs from the last position it was told, with its `queued` event: its
    position (1 = next) and the seconds until it starts. Call inside a transaction, after `serialized()`."""
    waiting = list(Attempt.objects.filter(status=Attempt.Status.QUEUED).order_by(*CLAIM_ORDER)
                   .only("id", "number", "exercise_id", "kind", "user_id"))
    if not waiting:
        return []
    running = list(Attempt.objects.filter(status=Attempt.Status.RUNNING).only("exercise_id", "kind", "started_at"))
    waits = estimated_waits(waiting, running)
    told = last_told_positions([attempt.id for attempt in waiting])
    return [(attempt, {"type": "queued", "position": position, "estimated_wait": wait})
            for position, (attempt, wait) in enumerate(zip(waiting, waits, strict=True), start=1)
            if told.get(attempt.id) != position]


def last_told_positions(attempt_ids: list[int]) -> dict[int, int | None]:
    """The position in the last `queued` event of each attempt, None once it started after that (an attempt queued
    again after its worker stopped is told its place anew)."""
    rows = (AttemptEvent.objects.filter(attempt_id__in=attempt_ids, data__type__in=["queued", "started"])
            .order_by("attempt_id", "seq").values_list("attempt_id", "data__type", "data__position"))
    return {attempt_id: position if kind == "queued" else None for attempt_id, kind, position in rows}


def estimated_waits(waiting: list[Attempt], running: list[Attempt]) -> list[float]:
    """Seconds until each waiting attempt (in queue order) starts: the workers finish what runs now (its measured
    duration less the time it has run), then take the waiting attempts one by one, each lasting its own measured
    duration."""
    durations = Durations()
    now = timezone.now()
    free_at = [max(0.0, durations.of(attempt) - _seconds_since(attempt.started_at, now)) for attempt in running]
    free_at += [0.0] * max(0, worker_slots() - len(free_at))
    heapq.heapify(free_at)
    waits = []
    for attempt in waiting:
        starts = heapq.heappop(free_at)
        waits.append(round(starts, 1))
        heapq.heappush(free_at, starts + durations.of(attempt))
    return waits


def worker_slots() -> int:
    """Attempts that can run at once: SANDBOX_WORKERS threads in each pool that beat its heartbeat lately (pools
    beat it at every renewal of their leases; a pool that missed two is taken to be gone)."""
    recent = timezone.now() - datetime.timedelta(seconds=2 * renew_interval())
    pools = Worker.objects.filter(heartbeat_at__gte=recent).count()
    return max(settings.SANDBOX_WORKERS, 1) * max(pools, 1)


class Durations:
    """The median seconds from claim to result of the RECENT last finished attempts of an exercise and kind (the
    median: one attempt stuck until its time limit does not move it), measured once per announcement."""

    def __init__(self):
        self.measured: dict[tuple[int, str], float] = {}

    def of(self, attempt: Attempt) -> float:
        key = (attempt.exercise_id, attempt.kind)
        if key not in self.measured:
            self.measured[key] = _median_seconds(Attempt.objects.filter(exercise_id=key[0], kind=key[1])) or \
                _median_seconds(Attempt.objects.all()) or DEFAULT_SECONDS_PER_JOB
        return self.measured[key]


def _median_seconds(attempts) -> float | None:
    took = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    recent = (attempts.filter(status=Attempt.Status.FINISHED, started_at__isnull=False, finished_at__isnull=False)
              .annotate(took=took).order_by("-id").values_list("took", flat=True)[:RECENT])
    seconds = [duration.total_seconds() for duration in recent if duration is not None]
    return statistics.median(seconds) if seconds else None


def _seconds_since(moment: datetime.datetime | None, now: datetime.datetime) -> float:
    return (now - moment).total_seconds() if moment else 0.0
