"""Cancel pressed on a page served by a Daphne that runs no workers reaches the worker process that builds the
attempt, through the database: the build stops on that worker's engine and the attempt ends cancelled, once."""
import pytest

from tests.faults.cluster import Learner, assert_one_result, no_sandbox_containers, slow_build, wait_until_ended

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

def test_a_cancel_on_the_site_stops_the_build_of_a_worker_process(workers, site, cookie, engines):
    learner = Learner(site, cookie).open()
    attempt = learner.submit("try", "push-private-registry", slow_build(60))
    learner.until(lambda frame: frame.get("type") == "log" and "building" in frame.get("text", ""))
    learner.send({"type": "cancel", "attempt": attempt})
    result = learner.until(lambda frame: frame["type"] == "result", timeout=30)
    learner.close()

    [ended] = wait_until_ended([attempt])
    assert assert_one_result(ended)[-1] == result
    assert result["status"] == "cancelled" and result["outcome"]["kind"] == "cancelled"
    assert ended.worker in [worker.name for worker in workers]  # not the site's process: it runs none
    no_sandbox_containers(engines)
