"""`kill -9` of the worker running an attempt, mid-build and mid-run: the other engine's worker takes the attempt
back when its lease runs out and finishes it; the stream says it was queued again; one result. A worker frozen
long enough to be presumed dead that comes back afterwards adds nothing to the attempt."""
import pytest
from django.contrib.auth.models import User

from attempts import jobs
from attempts.models import Attempt
from attempts.sweeper import sweep_once
from course.models import Exercise
from engine.engine import Engine
from tests.faults.cluster import (
    assert_one_result,
    eventually,
    no_sandbox_containers,
    slow_build,
    stored_stream,
    until_logged,
    wait_until_ended,
)

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

SLOW_RUN = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["sh", "-c", "echo running; sleep 3; echo ran"]\n'}


@pytest.mark.parametrize(("files", "marker"), [(lambda: slow_build(4), "building"), (lambda: SLOW_RUN, "running")],
                         ids=["mid-build", "mid-run"])
def test_a_killed_workers_attempt_is_finished_by_the_other_one(workers, engines, files, marker):
    attempt = jobs.submit(User.objects.create_user("ada"), Exercise.objects.get(slug="push-private-registry"),
                          "try", files())
    until_logged(attempt, marker)
    running_on = Attempt.objects.get(id=attempt.id).worker
    victim = next(worker for worker in workers if worker.name == running_on)
    victim.kill()

    [ended] = wait_until_ended([attempt.id], timeout=60)
    events = assert_one_result(ended)
    assert ended.status == "finished" and ended.worker != running_on and ended.claims == 2
    assert any(event["type"] == "notice" and "queued again" in event["message"]["en"] for event in events)
    assert any(event["type"] == "log" and "ran" in event["text"].splitlines() for event in events)
    # What the killed worker left on its engine goes with the next sweep (SANDBOX_REAP_AFTER), here at once.
    sweep_once(Engine(victim.engine_host), older_than=0)


def test_a_worker_presumed_dead_that_comes_back_records_nothing(workers, engines):
    attempt = jobs.submit(User.objects.create_user("ada"), Exercise.objects.get(slug="push-private-registry"),
                          "try", slow_build(4))
    until_logged(attempt, "building")
    running_on = Attempt.objects.get(id=attempt.id).worker
    victim = next(worker for worker in workers if worker.name == running_on)
    victim.pause()
    try:
        [ended] = wait_until_ended([attempt.id], timeout=60)
    finally:
        victim.resume()
    events = assert_one_result(ended)
    assert ended.status == "finished" and ended.worker != running_on

    eventually(lambda: "lease was lost" in victim.log.read_text() or "taken over" in victim.log.read_text(),
               timeout=30, failure="the worker that came back never noticed it lost the attempt")
    assert stored_stream(Attempt.objects.get(id=attempt.id)) == events
    no_sandbox_containers(engines)  # it stopped what it still had running for the attempt
    sweep_once(Engine(victim.engine_host), older_than=0)  # the layers it built meanwhile, as the sweep would
