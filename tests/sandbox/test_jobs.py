"""The job queue: atomic claims, recovery after a crash, what a submission may hold (positions and estimates:
test_queue.py)."""
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connection

from attempts import jobs, leases
from attempts.models import Attempt
from course.models import Exercise

pytestmark = pytest.mark.django_db


def test_attempts_left_running_by_a_dead_process_are_queued_again_then_failed(course):
    user = User.objects.create_user("ada")
    exercise = Exercise.objects.get(slug="push-private-registry")
    host = socket.gethostname()
    attempt = Attempt.objects.create(user=user, exercise=exercise, kind="try", status="running",
                                     worker=f"{host}:99999999")
    assert jobs.recover_interrupted(host, alive=f"{host}:1") == 1
    attempt.refresh_from_db()
    assert (attempt.status, attempt.restarts) == ("queued", 1)
    Attempt.objects.filter(id=attempt.id).update(status="running", worker=f"{host}:99999998")
    jobs.recover_interrupted(host, alive=f"{host}:1")
    attempt.refresh_from_db()
    assert attempt.status == "failed"
    assert attempt.events.last().data["type"] == "result"


def test_attempts_of_another_live_worker_process_of_the_host_are_left_to_it(course):
    host = socket.gethostname()
    attempt = Attempt.objects.create(user=User.objects.create_user("ada"),
                                     exercise=Exercise.objects.get(slug="push-private-registry"), kind="try",
                                     status="running", worker=f"{host}:{os.getpid()}")
    assert jobs.recover_interrupted(host, alive=f"{host}:1") == 0
    attempt.refresh_from_db()
    assert attempt.status == "running"


def claimed_until_empty(worker: str, start: threading.Barrier) -> list[int]:
    """Every attempt one worker thread claims, as fast as it can, from the moment all the workers start at once."""
    start.wait()
    try:
        return [attempt.id for attempt in iter(lambda: leases.claim_next(worker), None)]
    finally:
        connection.close()  # this thread's own connection


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_queue_claim_each_attempt_exactly_once(course):
    exercise = Exercise.objects.get(slug="push-private-registry")
    learners = User.objects.bulk_create(User(username=f"learner{number}") for number in range(60))
    queued = Attempt.objects.bulk_create(Attempt(user=user, exercise=exercise, kind="try") for user in learners)
    workers = [f"host:{number}" for number in range(8)]
    start = threading.Barrier(len(workers))
    with ThreadPoolExecutor(len(workers)) as pool:
        claims = dict(zip(workers, pool.map(claimed_until_empty, workers, [start] * len(workers)), strict=True))
    claimed = [attempt_id for ids in claims.values() for attempt_id in ids]
    assert sorted(claimed) == sorted(attempt.id for attempt in queued)
    assert {(worker, attempt_id) for worker, ids in claims.items() for attempt_id in ids} == set(
        Attempt.objects.values_list("worker", "id"))
    assert set(Attempt.objects.values_list("status", flat=True)) == {"running"}


def test_files_over_the_limits_are_refused_before_anything_is_queued(course):
    user = User.objects.create_user("ada")
    exercise = Exercise.objects.get(slug="push-private-registry")
    with pytest.raises(jobs.Refused) as raised:
        jobs.submit(user, exercise, "try", {"Dockerfile": "x" * (jobs.LIMITS.max_file_bytes + 1)})
    assert raised.value.code == "bad_request" and "Dockerfile is larger than" in raised.value.message["en"]
    assert Attempt.objects.count() == 0


@pytest.mark.parametrize("name", ["/etc/passwd", "a/../b", "a//b", "./x", "back\\slash", "tab\tname", "bell\x07",
                                  "x" * 201])
def test_file_names_the_page_refuses_are_refused_by_the_server_too(course, name):
    user = User.objects.create_user("ada")
    exercise = Exercise.objects.get(slug="push-private-registry")
    with pytest.raises(jobs.Refused) as raised:
        jobs.submit(user, exercise, "try", {"Dockerfile": "FROM layerlab/busybox\n", name: "text"})
    assert raised.value.code == "bad_request"
    assert "is not allowed" in raised.value.message["en"] and "不被允许" in raised.value.message["zh-hans"]
    assert Attempt.objects.count() == 0
    assert jobs.LIMITS.allows_name("app/src/main.go") and jobs.LIMITS.allows_name("x" * 200)
