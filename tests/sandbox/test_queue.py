"""The queue tells the truth: positions from one read of the queue, unique however many learners submit at once,
told again to every waiting attempt when one ahead of it is claimed, cancelled or queued again; and a wait
estimated from how long attempts of the same exercise took."""
import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from attempts import jobs, leases
from attempts.leases import Lease
from attempts.models import Attempt
from course.models import Exercise

pytestmark = pytest.mark.django_db

BUSYBOX = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "hello"]\n'}
EXERCISE = "push-private-registry"


def submitted(name: str, exercise: str = EXERCISE) -> Attempt:
    return jobs.submit(User.objects.create_user(name), Exercise.objects.get(slug=exercise), "try", BUSYBOX)


def positions_told(attempt: Attempt) -> list[int]:
    return [event["position"] for event in attempt.events.values_list("data", flat=True)
            if event["type"] == "queued"]


def submit_at_once(name: str, start: threading.Barrier) -> int:
    user = User.objects.create_user(name)
    exercise = Exercise.objects.get(slug=EXERCISE)
    start.wait()
    try:
        return jobs.submit(user, exercise, "try", BUSYBOX).id
    finally:
        connection.close()  # this thread's own connection


@pytest.mark.django_db(transaction=True)
def test_learners_submitting_at_once_are_each_told_a_place_of_their_own(course):
    learners = [f"learner{number}" for number in range(12)]
    start = threading.Barrier(len(learners))
    with ThreadPoolExecutor(len(learners)) as pool:
        ids = list(pool.map(submit_at_once, learners, [start] * len(learners)))
    first_told = [positions_told(Attempt.objects.get(id=attempt_id))[0] for attempt_id in sorted(ids)]
    assert sorted(first_told) == list(range(1, len(learners) + 1))
    last_told = {attempt_id: positions_told(Attempt.objects.get(id=attempt_id))[-1] for attempt_id in ids}
    assert [last_told[attempt_id] for attempt_id in sorted(ids)] == list(range(1, len(learners) + 1))


def test_the_waiting_move_up_when_the_first_is_claimed(course):
    first, second, third = submitted("ada"), submitted("bob"), submitted("cy")
    assert leases.claim_next("host:1").id == first.id
    jobs.announce_queue()  # what the worker does after each claim
    assert (positions_told(second), positions_told(third)) == ([2, 1], [3, 2])
    jobs.announce_queue()
    assert positions_told(third) == [3, 2], "an unchanged place is not told again"


def test_the_waiting_move_up_when_one_ahead_is_cancelled(course):
    first, second = submitted("ada"), submitted("bob")
    jobs.cancel(first.user, first.id)
    assert positions_told(second) == [2, 1]


def test_an_attempt_queued_again_is_told_its_new_place(course):
    first = submitted("ada")
    jobs.record(first, {"type": "started"}, Lease.of(leases.claim_next("gone:1")))  # what its worker did first
    second = submitted("bob")
    Attempt.objects.filter(id=first.id).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert jobs.requeue_expired() == 1
    assert positions_told(first) == [1, 1]  # first in line again: the oldest attempt is claimed first
    assert positions_told(second) == [1, 2]


def finished(name: str, exercise: str, seconds: float) -> None:
    attempt = submitted(name, exercise)
    started = timezone.now() - datetime.timedelta(seconds=seconds + 60)
    Attempt.objects.filter(id=attempt.id).update(status="finished", started_at=started,
                                                 finished_at=started + datetime.timedelta(seconds=seconds))


def test_the_wait_is_estimated_from_durations_of_the_same_exercise(course, settings):
    settings.SANDBOX_WORKERS = 1
    for number in range(3):
        finished(f"slow{number}", "multi-stage-go", 30)
        finished(f"quick{number}", "first-dockerfile", 2)
    running = submitted("runner", "multi-stage-go")
    assert leases.claim_next("host:1").id == running.id
    Attempt.objects.filter(id=running.id).update(started_at=timezone.now() - datetime.timedelta(seconds=10))
    quick, slow = submitted("ann", "first-dockerfile"), submitted("ben", "multi-stage-go")
    after_slow = submitted("cid", "first-dockerfile")
    waits = [Attempt.objects.get(id=a.id).events.last().data["estimated_wait"] for a in (quick, slow, after_slow)]
    assert waits == [pytest.approx(20, abs=1), pytest.approx(22, abs=1), pytest.approx(52, abs=1)]


def test_with_a_free_worker_the_first_in_line_starts_at_once(course):
    attempt = submitted("ada")
    queued = attempt.events.get(seq=1).data
    assert (queued["type"], queued["position"], queued["estimated_wait"]) == ("queued", 1, 0)
