"""The sandbox health report: staff only, the same data as JSON and as a page, and a failure shown as data."""
import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from attempts.models import Attempt, Worker
from course.models import Exercise

pytestmark = pytest.mark.django_db

NO_ENGINE = "unix:///nonexistent/docker.sock"


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_user("staff", is_staff=True))
    return client


@pytest.fixture
def busy(course, settings):
    """One attempt running on a worker that beat a second ago, one queued for a minute, on an engine that is down."""
    settings.SANDBOX_DOCKER_HOST = NO_ENGINE
    exercise = Exercise.objects.get(slug="push-private-registry")
    Worker.objects.create(name="host-a:1", engine=NO_ENGINE, heartbeat_at=timezone.now())
    Attempt.objects.create(user=User.objects.create_user("ada"), exercise=exercise, kind="try", status="running",
                           worker="host-a:1")
    queued = Attempt.objects.create(user=User.objects.create_user("bob"), exercise=exercise, kind="try")
    Attempt.objects.filter(id=queued.id).update(created_at=timezone.now() - datetime.timedelta(seconds=60))


@pytest.mark.parametrize("name", ["sandbox-health", "sandbox-health-json"])
def test_learners_and_strangers_are_sent_to_log_in(client, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(User.objects.create_user("ada"))
    assert client.get(reverse(name)).status_code == 302


def test_the_json_reports_queue_workers_and_an_unreachable_engine(staff_client, busy):
    answer = staff_client.get("/staff/sandbox/health.json")
    assert answer.status_code == 503  # an engine does not answer
    report = answer.json()
    assert report["database"]["ok"] is True
    assert report["queue"]["length"] == 1 and report["queue"]["oldest_seconds"] >= 60
    assert report["queue"]["running"] == {"host-a:1": 1}
    [worker] = report["workers"]
    assert (worker["name"], worker["running"], worker["alive"]) == ("host-a:1", 1, True)
    [engine] = report["engines"]
    assert (engine["docker_host"], engine["reachable"]) == (NO_ENGINE, False) and engine["problem"]


def test_the_page_shows_the_same_report(staff_client, busy):
    page = staff_client.get("/staff/sandbox/health").content.decode()
    assert "host-a:1" in page and NO_ENGINE in page and "1 queued" in page
    assert "Something does not answer" in page
