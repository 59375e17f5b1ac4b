"""Leases on attempts: renewal, taking back an attempt whose worker stopped, fencing off a worker that comes back,
the one-active-attempt rule held by the database, and event numbers kept on the attempt's row."""
import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from attempts import jobs, leases
from attempts.leases import Lease, LeaseLost
from attempts.models import Attempt, Worker
from course.models import Exercise
from engine.outcomes import Outcome, OutcomeKind
from tests.sockets import running_workers

pytestmark = pytest.mark.django_db

BUSYBOX = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "hello"]\n'}


@pytest.fixture
def claimed(course) -> Attempt:
    """A try that a worker called "gone:1" claimed, and whose lease has just run out."""
    user = User.objects.create_user("ada")
    jobs.submit(user, Exercise.objects.get(slug="push-private-registry"), "try", BUSYBOX)
    attempt = leases.claim_next("gone:1")
    run_out(attempt)
    return attempt


def run_out(attempt: Attempt) -> None:
    Attempt.objects.filter(id=attempt.id).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))


def stream_of(attempt: Attempt) -> list[dict]:
    return list(attempt.events.values_list("data", flat=True))


def test_a_claim_holds_a_lease_that_renewing_extends(claimed):
    lease = Lease.of(claimed)
    assert leases.renew([lease]) == []
    claimed.refresh_from_db()
    assert claimed.lease_expires_at > timezone.now() + datetime.timedelta(seconds=50)
    assert leases.expired() == []


def test_an_expired_lease_is_queued_again_once_saying_so_then_failed_plainly(claimed):
    assert jobs.requeue_expired() == 1
    claimed.refresh_from_db()
    assert (claimed.status, claimed.restarts, claimed.worker) == ("queued", 1, "")
    assert "queued again" in stream_of(claimed)[-1]["message"]["en"]
    again = leases.claim_next("gone:2")
    assert (again.id, again.claims) == (claimed.id, 2)
    run_out(again)
    assert jobs.requeue_expired() == 1
    again.refresh_from_db()
    events = stream_of(again)
    assert again.status == "failed" and again.outcome_kind == "engine_unavailable"
    assert [event["type"] for event in events[-2:]] == ["notice", "result"]
    assert "does not count against you" in events[-2]["message"]["en"]


def test_a_cancel_asked_while_the_worker_was_gone_ends_the_attempt_cancelled(claimed):
    jobs.cancel(claimed.user, claimed.id)
    jobs.requeue_expired()
    claimed.refresh_from_db()
    assert claimed.status == "cancelled"
    assert [event["type"] for event in stream_of(claimed)].count("result") == 1


def test_a_worker_presumed_dead_that_comes_back_can_record_nothing(claimed):
    stale = Lease.of(claimed)
    jobs.requeue_expired()
    successor = leases.claim_next("alive:1")
    with pytest.raises(LeaseLost):
        jobs.record(claimed, {"type": "log", "stream": "build", "text": "late"}, stale)
    with pytest.raises(LeaseLost):
        jobs._finish(claimed, "finished", Outcome(OutcomeKind.OK, "run"), None, lease=stale)
    assert leases.renew([stale]) == [stale]
    jobs._finish(successor, "finished", Outcome(OutcomeKind.OK, "run"), None, lease=Lease.of(successor))
    events = stream_of(claimed)
    assert [event["type"] for event in events].count("result") == 1
    assert "late" not in [event.get("text") for event in events]
    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))


def test_taking_back_the_same_lease_twice_does_it_once(claimed):
    lease = Lease.of(claimed)
    assert [jobs.take_back(lease), jobs.take_back(lease)] == [True, False]


def test_the_database_refuses_a_second_active_attempt_of_one_learner(course):
    user = User.objects.create_user("ada")
    exercise = Exercise.objects.get(slug="push-private-registry")
    Attempt.objects.create(user=user, exercise=exercise, kind="try", status="running")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(user=user, exercise=exercise, kind="try")
    Attempt.objects.create(user=user, exercise=exercise, kind="try", status="finished")
    Attempt.objects.create(user=user, exercise=exercise, kind="regrade")  # an instructor's, queued beside it


def test_a_learners_own_attempt_is_claimed_before_a_regrade_queued_earlier(course):
    ada, wei = User.objects.create_user("ada"), User.objects.create_user("wei")
    exercise = Exercise.objects.get(slug="push-private-registry")
    regrade = jobs.submit(ada, exercise, "regrade", BUSYBOX)
    own = jobs.submit(wei, exercise, "try", BUSYBOX)
    assert [leases.claim_next("w:1").id, leases.claim_next("w:1").id] == [own.id, regrade.id]


def test_the_constraint_names_the_statuses_the_model_calls_active_and_leaves_regrades_out():
    constraint = next(c for c in Attempt._meta.constraints if c.name == "one_active_attempt_per_learner")
    assert constraint.condition == Q(status__in=tuple(Attempt.ACTIVE_STATUSES)) & ~Q(kind=Attempt.Kind.REGRADE)


@pytest.mark.django_db(transaction=True)
def test_events_recorded_at_once_from_many_threads_are_numbered_one_by_one(course):
    attempt = jobs.submit(User.objects.create_user("ada"), Exercise.objects.get(slug="push-private-registry"),
                          "try", BUSYBOX)
    start = threading.Barrier(6)

    def record_some(_) -> None:
        start.wait()
        try:
            for number in range(10):
                jobs.record(attempt, {"type": "log", "stream": "build", "text": str(number)})
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(record_some, range(6)))
    assert sorted(attempt.events.values_list("seq", flat=True)) == list(range(1, 62))
    attempt.refresh_from_db()
    assert attempt.last_seq == 61


@pytest.mark.engine
@pytest.mark.django_db(transaction=True)
def test_a_pool_takes_back_and_finishes_the_attempt_of_a_worker_that_died(claimed, real_engine, settings):
    settings.SANDBOX_LEASE_SECONDS = 3
    with running_workers(real_engine, size=1) as pool:
        assert Worker.objects.filter(name=pool.name).exists()
        deadline = time.monotonic() + 60
        while Attempt.objects.get(id=claimed.id).status not in ("finished", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
    claimed.refresh_from_db()
    events = stream_of(claimed)
    assert (claimed.status, claimed.worker, claimed.claims) == ("finished", pool.name, 2)
    assert [event["type"] for event in events].count("result") == 1
    assert any(event["type"] == "notice" for event in events)
    assert any(event.get("text") == "hello" for event in events)
    assert not Worker.objects.filter(name=pool.name).exists()  # a pool that stops says so
