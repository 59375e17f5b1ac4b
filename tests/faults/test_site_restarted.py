"""Daphne restarted mid-build and Redis restarted while learners stream: the page's socket drops, it resumes from
the last event it saw, and gets the rest exactly once, ending with the one result."""
import subprocess
import time

import pytest
from websockets.exceptions import ConnectionClosed

from attempts.models import Attempt
from tests.faults.cluster import Learner, assert_one_result, slow_build, wait_until_ended
from tests.servers import PROJECT

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

def is_building(frame: dict) -> bool:
    return frame.get("type") == "log" and "building" in frame.get("text", "")


def resumed_to_the_end(learner: Learner, attempt: int, tries: int = 5) -> list[dict]:
    """What the page does: reconnect (again, after a pause, if the server drops it once more) and replay."""
    for _ in range(tries):
        learner.resume(attempt)
        try:
            learner.until(lambda frame: frame["type"] == "result")
            break
        except ConnectionClosed:
            time.sleep(1)
    learner.close()
    return learner.events


def test_a_restarted_site_resumes_the_page_mid_build(workers, site, cookie):
    learner = Learner(site, cookie).open()
    attempt = learner.submit("try", "push-private-registry", slow_build(3))
    learner.until(is_building)
    site.stop()
    site.start()
    seen = resumed_to_the_end(learner, attempt)
    [ended] = wait_until_ended([attempt])
    assert seen == assert_one_result(ended)
    assert ended.status == "finished"


def test_learners_streaming_through_a_redis_restart_get_every_event_once(workers, site, cookie):
    learner = Learner(site, cookie).open()
    attempt = learner.submit("try", "push-private-registry", slow_build(3))
    learner.until(is_building)
    subprocess.run([str(PROJECT / "scripts" / "services"), "restart", "redis"], check=True, capture_output=True,
                   timeout=60)
    seen = resumed_to_the_end(learner, attempt)
    [ended] = wait_until_ended([attempt])
    assert seen == assert_one_result(ended)
    assert Attempt.objects.get(id=attempt).status == "finished"
