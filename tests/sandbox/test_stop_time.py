"""stop_time: how long `docker stop` takes, which is what PID 1 and signals are about."""
import pytest

pytestmark = pytest.mark.engine

SERVER = b"""#!/bin/sh
trap 'echo bye; exit 0' TERM
echo ready
while :; do sleep 0.1; done
"""


@pytest.fixture
def server_image(engine):
    def build(cmd: str):
        return engine.build_ok(f"FROM layerlab/busybox\nCOPY server.sh /server.sh\nCMD {cmd}\n",
                               executable={"server.sh"}, **{"server.sh": SERVER}).image
    return build


def test_an_exec_form_server_that_traps_sigterm_stops_at_once(engine, server_image):
    result = engine.stop_time(server_image('["/server.sh"]'), grace=3)
    assert result.seconds < 1.5
    assert not result.killed
    assert "bye" in result.output
    assert result.exit_code == 0


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_period(engine, server_image):
    image = server_image('["sh", "-c", "trap \\"\\" TERM; while :; do sleep 0.1; done"]')
    result = engine.stop_time(image, grace=2)
    assert result.killed
    assert result.seconds >= 2
    assert result.exit_code == 137


def test_args_replace_the_command(engine, server_image):
    result = engine.stop_time(server_image('["/server.sh"]'), ["sh", "-c", "echo other; sleep 30"], grace=1)
    assert "other" in result.output
    assert result.killed  # plain sleep under sh as PID 1: SIGTERM has no handler and is ignored
