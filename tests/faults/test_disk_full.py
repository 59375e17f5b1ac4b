"""The engine's disk full: on an engine whose data root (1 GB) is smaller than what a build step may write, builds
that fill it end once each with the plain "disk full" message (not counted against the learner), what they wrote
goes with them, and the engine builds the next attempt as before."""
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User

from attempts import jobs
from course.models import Exercise
from engine.engine import Engine
from tests.conftest import _assert_nothing_left
from tests.faults.cluster import ExtraEngine, assert_one_result, wait_until_ended, workers_on

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

FILLING = {"Dockerfile": "FROM layerlab/busybox\n"
                         "RUN for i in $(seq 100); do dd if=/dev/zero of=/fill$i bs=1M count=16 || exit 1; done\n"}
QUICK = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "ran"]\n'}
# The step's own disk budget above the engine's whole disk, so that the disk fills before the budget is reached.
UNBOUNDED_STEP = {"SANDBOX_BUILD_DISK_MB": "4096", "SANDBOX_WORKERS": "2"}


@pytest.fixture(scope="module")
def small_engine(real_engine) -> Iterator[Engine]:
    small = ExtraEngine(real_engine, "disk", disk_gb=1)
    engine = small.start()
    try:
        yield engine
    finally:
        small.stop()


def test_builds_that_fill_the_engines_disk_end_plainly_and_the_engine_serves_on(course, small_engine, tmp_path):
    exercise = Exercise.objects.get(slug="push-private-registry")
    with workers_on([small_engine.docker_host], tmp_path, **UNBOUNDED_STEP):
        filling = [jobs.submit(User.objects.create_user(name), exercise, "try", FILLING).id for name in ("ada", "bob")]
        for ended in wait_until_ended(filling, timeout=90):
            events = assert_one_result(ended)
            assert (ended.status, ended.outcome_kind) == ("failed", "disk_full"), events
            assert "disk is full" in events[-1]["outcome"]["message"]["en"]
            assert "磁盘已满" in events[-1]["outcome"]["message"]["zh-hans"]
        after = jobs.submit(User.objects.create_user("cy"), exercise, "try", QUICK)
        [graded] = wait_until_ended([after.id])
    events = assert_one_result(graded)
    assert (graded.status, graded.outcome_kind) == ("finished", "ok"), events
    _assert_nothing_left(small_engine)
