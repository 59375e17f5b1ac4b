"""The job queue: atomic claims, recovery after a crash, queue estimates."""
import socket

import pytest
from django.contrib.auth.models import User

from attempts import jobs
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


def test_two_workers_never_claim_the_same_attempt(course):
    user = User.objects.create_user("ada")
    exercise = Exercise.objects.get(slug="push-private-registry")
    Attempt.objects.create(user=user, exercise=exercise, kind="try")
    claims = [jobs.claim_next("host:1"), jobs.claim_next("host:2")]
    assert [claim is not None for claim in claims] == [True, False]


def test_the_first_queued_attempt_says_it_is_next(course):
    user = User.objects.create_user("ada")
    attempt = jobs.submit(user, Exercise.objects.get(slug="push-private-registry"), "try",
                          {"Dockerfile": "FROM layerlab/busybox\n"})
    queued = attempt.events.get(seq=1).data
    assert (queued["type"], queued["position"]) == ("queued", 1)
    assert queued["estimated_wait"] > 0


def test_files_over_the_limits_are_refused_before_anything_is_queued(course):
    user = User.objects.create_user("ada")
    exercise = Exercise.objects.get(slug="push-private-registry")
    with pytest.raises(jobs.Refused) as raised:
        jobs.submit(user, exercise, "try", {"Dockerfile": "x" * (jobs.LIMITS.max_file_bytes + 1)})
    assert raised.value.code == "bad_request" and "Dockerfile is larger than" in raised.value.message["en"]
    assert Attempt.objects.count() == 0
