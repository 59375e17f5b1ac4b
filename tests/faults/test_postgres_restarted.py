"""PostgreSQL restarted while both workers build: workers and the lease keeper reconnect, and every attempt ends
with exactly one result."""
import subprocess

import pytest
from django.contrib.auth.models import User
from django.db import connection

from attempts import jobs
from course.models import Exercise
from tests.faults.cluster import assert_one_result, eventually, slow_build, wait_until_ended
from tests.servers import PROJECT

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

def test_every_attempt_ends_once_through_a_database_restart(workers):
    exercise = Exercise.objects.get(slug="push-private-registry")
    attempts = [jobs.submit(User.objects.create_user(f"learner{number}"), exercise, "try", slow_build(2)).id
                for number in range(6)]
    eventually(lambda: jobs.Attempt.objects.filter(status="running").count() == 2, timeout=30,
               failure="the two workers never both started")
    connection.close()
    subprocess.run([str(PROJECT / "scripts" / "services"), "restart", "postgres"], check=True, capture_output=True,
                   timeout=120)
    for attempt in wait_until_ended(attempts, timeout=120):
        events = assert_one_result(attempt)
        assert attempt.status in ("finished", "failed"), events
        if attempt.status == "failed":  # taken back twice: said so plainly
            assert events[-1]["outcome"]["kind"] == "engine_unavailable"
