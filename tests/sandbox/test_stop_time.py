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


def test_a_stop_waits_for_the_ready_line_and_says_whether_it_came(engine, server_image):
    result = engine.stop_time(server_image('["/server.sh"]'), grace=3, ready="ready", settle=0)
    assert (result.ready_seen, result.exited_early, result.exit_code) == (True, False, 0)
    assert "bye" in result.output
    silent = engine.stop_time(server_image('["/server.sh"]'), ["sh", "-c", "trap 'exit 0' TERM; sleep 30 & wait"],
                              grace=1, ready="ready", limits=engine.limits.capped_at(run_timeout=2))
    assert not silent.ready_seen and not silent.exited_early


def test_a_container_that_exits_by_itself_is_not_stopped(engine, server_image):
    result = engine.stop_time(server_image('["sh", "-c", "echo bye"]'), grace=1)
    assert result.exited_early
    assert (result.seconds, result.killed, result.exit_code) == (0.0, False, 0)
    assert result.output == "bye\n"


def test_the_main_process_is_read_from_the_running_container(engine, server_image):
    image = server_image('["/server.sh"]')
    process = engine.main_process(image, ready="ready")
    assert (process.argv, process.executable) == (("/bin/sh", "/server.sh"), "/bin/busybox")
    assert engine.main_process(image, ["sh", "-c", "echo done"]).exited_early
