"""The course registry stopped while a publish is under way (building, before its push): the publish ends once with
the plain "registry not available" message, not counted against the learner, and neither its image nor the
registry reference it was tagged with stays on the engine."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from attempts import jobs
from attempts.models import Attempt
from course.models import Exercise
from engine import fence
from tests.conftest import _assert_nothing_left
from tests.faults.cluster import assert_one_result, slow_build, until_logged, wait_until_ended, workers_on
from tests.servers import free_port, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def registry(real_engine, tmp_path):
    """Docker's registry on a free loopback port, let through the engine's fence; stopped by the test."""
    host = f"127.0.0.1:{free_port()}"
    environment = {**os.environ, "REGISTRY_HOST": host, "REGISTRY_DATA_DIR": str(tmp_path / "registry"),
                   "REGISTRY_REALM": f"http://127.0.0.1:{free_port()}/registry/token"}
    config = subprocess.run([sys.executable, "manage.py", "registry_config"], cwd=settings.BASE_DIR, env=environment,
                            capture_output=True, text=True, check=True).stdout
    (tmp_path / "registry.yml").write_text(config)
    server = subprocess.Popen(["/usr/bin/docker-registry", "serve", str(tmp_path / "registry.yml")], env=environment,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(int(host.rpartition(":")[2]))
    with fence.allowed(real_engine.docker_host, f"faults-{os.getpid()}-registry",
                       fence.registry_rules(host, environment["REGISTRY_REALM"])):
        yield server, {name: environment[name] for name in ("REGISTRY_HOST", "REGISTRY_DATA_DIR", "REGISTRY_REALM")}
    server.kill()
    server.wait(timeout=10)


def test_a_publish_whose_registry_goes_down_ends_once_and_leaves_nothing(course, real_engine, registry, tmp_path):
    server, registry_environment = registry
    learner = User.objects.create_user("ada")
    source = Attempt.objects.create(user=learner, exercise=Exercise.objects.get(slug="push-private-registry"),
                                    kind="try", status="finished", outcome_kind="ok", files=slow_build(2))
    with workers_on([real_engine.docker_host], tmp_path, **registry_environment):
        publishing = jobs.publish(learner, source.id, "hello", ["1.0"])
        until_logged(publishing, "building")
        server.kill()
        [ended] = wait_until_ended([publishing.id], timeout=60)
    events = assert_one_result(ended)
    assert (ended.status, ended.outcome_kind) == ("failed", "registry_unavailable"), events
    assert "registry is not available right now" in events[-1]["outcome"]["message"]["en"]
    assert "published" not in [event["type"] for event in events]
    _assert_nothing_left(real_engine)
