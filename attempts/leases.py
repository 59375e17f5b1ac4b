"""Claims and leases: how workers on any number of hosts share the queue without losing or doubling an attempt.

A worker claims the oldest queued attempt with `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL: racing workers each
skip the rows another is taking instead of waiting for it; SQLite's IMMEDIATE transactions let one writer in at a
time, so the same query is just as safe there). The claim holds a lease until `lease_expires_at`, which the worker
renews while it works; an attempt whose lease ran out belongs to a worker that died or lost the database, and any
worker takes it back (attempts.jobs.requeue_expired).

Each claim increments the attempt's `claims`. A worker writes (an event, the result) only while the attempt is
still running under its own claim number, checked in the same UPDATE that numbers the event: a worker presumed dead
that comes back finds its lease gone and stops, so an attempt gets exactly one result.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from attempts.models import Attempt, Worker


class LeaseLost(Exception):
    """The attempt is no longer this worker's: its lease ran out and another worker took it over, or it ended."""


@dataclass(frozen=True)
class Lease:
    attempt_id: int
    worker: str
    claim: int

    @classmethod
    def of(cls, attempt: Attempt) -> Lease:
        return cls(attempt.id, attempt.worker, attempt.claims)

    def held(self) -> Q:
        """The attempt's row while this lease is the one it runs under."""
        return Q(id=self.attempt_id, status=Attempt.Status.RUNNING, worker=self.worker, claims=self.claim)


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SANDBOX_LEASE_SECONDS)


def renew_interval() -> float:
    """Seconds between renewals: a third of the lease, so two renewals can fail before it runs out."""
    return settings.SANDBOX_LEASE_SECONDS / 3


# A regrade of a whole class never keeps learners waiting: their own attempts are taken first.
REGRADES_LAST = Case(When(kind=Attempt.Kind.REGRADE, then=Value(1)), default=Value(0))
CLAIM_ORDER = (REGRADES_LAST, "id")  # the queue's order, as claims take it and as positions are told


def claim_next(worker: str) -> Attempt | None:
    """Take the oldest queued attempt that no other worker is taking at this moment, under a new lease; a learner's
    own before any regrade."""
    with transaction.atomic():
        attempt = (Attempt.objects.select_for_update(skip_locked=True).filter(status=Attempt.Status.QUEUED)
                   .order_by(*CLAIM_ORDER).first())
        if attempt is None:
            return None
        now = timezone.now()
        Attempt.objects.filter(id=attempt.id).update(
            status=Attempt.Status.RUNNING, worker=worker, started_at=now, lease_expires_at=now + lease_length(),
            claims=F("claims") + 1)
    return Attempt.objects.select_related("exercise", "user").get(id=attempt.id)


def next_seq(attempt_id: int, lease: Lease | None = None) -> int:
    """The attempt's next event number, counted on its row (one indexed UPDATE, never a MAX over its events).
    With a lease, only while it is held: else LeaseLost. Call inside the transaction that stores the event."""
    rows = Attempt.objects.filter(lease.held() if lease else Q(id=attempt_id))
    if not rows.update(last_seq=F("last_seq") + 1):
        raise LeaseLost(attempt_id)
    return Attempt.objects.values_list("last_seq", flat=True).get(id=attempt_id)


def renew(leases: list[Lease]) -> list[Lease]:
    """Extend each lease; returns those that were lost."""
    until = timezone.now() + lease_length()
    return [lease for lease in leases if not Attempt.objects.filter(lease.held()).update(lease_expires_at=until)]


def heartbeat(worker: str, engine: str) -> None:
    Worker.objects.update_or_create(name=worker, defaults={"engine": engine, "heartbeat_at": timezone.now()})


def expired() -> list[Lease]:
    """The leases that ran out: their workers stopped renewing them."""
    rows = Attempt.objects.filter(status=Attempt.Status.RUNNING, lease_expires_at__lt=timezone.now())
    return [Lease(*row) for row in rows.values_list("id", "worker", "claims")]


def take_back(lease: Lease) -> Attempt | None:
    """The attempt of a lease that is no longer renewed, locked for the caller's transaction to end or requeue it;
    None when another worker got there first or the attempt moved on meanwhile."""
    return Attempt.objects.select_for_update(skip_locked=True).filter(lease.held()).first()
