"""A page that hears nothing for longer than the Redis channel layer's blocking wait for news (5 s) keeps its
socket: the read under that wait must not give up first. Here no worker runs, so the attempt stays queued and the
page idles; then it cancels, and gets the one result."""
import pytest

from tests.faults.cluster import Learner, assert_one_result, slow_build, wait_until_ended

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]

SILENCE = 12  # seconds: two of channels-redis's waits and more


def test_a_page_that_hears_nothing_for_a_while_keeps_its_socket(site, cookie):
    learner = Learner(site, cookie).open()
    attempt = learner.submit("try", "push-private-registry", slow_build(1))
    learner.until(lambda frame: frame.get("type") == "queued")
    with pytest.raises(TimeoutError):  # nothing came, and the socket did not close either
        learner.socket.recv(timeout=SILENCE)
    learner.send({"type": "cancel", "attempt": attempt})
    result = learner.until(lambda frame: frame["type"] == "result", timeout=30)
    learner.close()
    [ended] = wait_until_ended([attempt])
    assert assert_one_result(ended)[-1] == result and result["status"] == "cancelled"
