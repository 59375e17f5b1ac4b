"""The Docker daemon killed (`kill -9`) mid-build and started again: the attempt it was building ends once, with the
plain "build server not available" message (not counted against the learner); the same worker, left running,
grades the next attempt on the restarted engine; the sweep removes what the dead daemon's build left."""
import pytest
from django.contrib.auth.models import User

from attempts import jobs
from attempts.sweeper import sweep_once
from course.models import Exercise
from engine.engine import Engine
from tests.conftest import _assert_nothing_left
from tests.faults.cluster import assert_one_result, slow_build, until_logged, wait_until_ended, workers_on

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

QUICK = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "ran"]\n'}


def test_an_attempt_whose_daemon_was_killed_ends_once_and_the_engine_serves_again(course, extra_engine, tmp_path):
    exercise = Exercise.objects.get(slug="push-private-registry")
    learner = User.objects.create_user("ada")
    with workers_on([extra_engine.docker_host], tmp_path):
        building = jobs.submit(learner, exercise, "try", slow_build(5))
        until_logged(building, "building")
        extra_engine.kill_daemon()
        [ended] = wait_until_ended([building.id], timeout=60)
        events = assert_one_result(ended)
        assert (ended.status, ended.outcome_kind) == ("failed", "engine_unavailable"), events
        assert "not available right now" in events[-1]["outcome"]["message"]["en"]

        engine = extra_engine.start()
        after = jobs.submit(learner, exercise, "try", QUICK)
        [graded] = wait_until_ended([after.id], timeout=60)
        events = assert_one_result(graded)
        assert graded.status == "finished" and graded.outcome_kind == "ok", events
        assert any(event["type"] == "log" and event["text"] == "ran" for event in events)
    sweep_once(engine, older_than=0)
    _assert_nothing_left(Engine(extra_engine.docker_host, engine.limits))
