"""Running an image in the locked-down container: output, exit codes and the hardening that is always on."""
import pytest

from engine.engine import LogLine
from engine.outcomes import OutcomeKind

pytestmark = pytest.mark.engine


@pytest.fixture
def image(engine):
    return engine.build_ok("FROM layerlab/busybox\nCMD [\"echo\", \"default command\"]\n").image


def test_it_runs_the_images_cmd(engine, image):
    events, result = engine.run(image)
    assert events == [LogLine("stdout", "default command")]
    assert result.outcome.ok and result.exit_code == 0


def test_args_replace_cmd_and_streams_stay_apart(engine, image):
    _, result = engine.run(image, ["sh", "-c", "echo out; echo err >&2; exit 7"])
    assert (result.stdout, result.stderr, result.exit_code) == ("out\n", "err\n", 7)
    assert result.outcome.kind is OutcomeKind.OK


def test_it_runs_as_the_non_root_learner_by_default(engine, image):
    _, result = engine.run(image, ["id", "-u"])
    assert result.stdout == "1000\n"


def test_an_exercise_can_opt_in_to_root(engine, image):
    _, result = engine.run(image, ["id", "-u"], as_root=True)
    assert result.stdout == "0\n"


def test_the_root_filesystem_is_read_only_but_tmp_is_writable(engine, image):
    _, result = engine.run(image, ["sh", "-c", "touch /x 2>&1; touch /tmp/ok && echo tmp-ok"])
    assert "Read-only file system" in result.stdout
    assert "tmp-ok" in result.stdout


def test_environment_is_passed(engine, image):
    _, result = engine.run(image, ["sh", "-c", "echo $GREETING"], env={"GREETING": "ni hao"})
    assert result.stdout == "ni hao\n"


def test_there_is_no_network_but_loopback(engine, image):
    _, result = engine.run(image, ["ls", "/sys/class/net"])
    assert result.stdout.split() == ["lo"]


def test_all_capabilities_are_dropped_even_for_root(engine, image):
    _, result = engine.run(image, ["sh", "-c", "grep CapEff /proc/self/status"], as_root=True)
    assert result.stdout.split()[-1] == "0000000000000000"


def test_no_new_privileges_is_set(engine, image):
    _, result = engine.run(image, ["sh", "-c", "grep NoNewPrivs /proc/self/status"])
    assert result.stdout.split()[-1] == "1"


def test_core_dumps_are_off_and_file_size_is_capped(engine, image):
    _, result = engine.run(image, ["sh", "-c", "ulimit -c; ulimit -f"])
    core, file_blocks = result.stdout.split()
    assert core == "0"
    assert int(file_blocks) * 512 == engine.limits.file_size_mb * 1024 * 1024


def test_init_is_pid_1(engine, image):
    _, result = engine.run(image, ["cat", "/proc/1/cmdline"])
    assert "init" in result.stdout


def test_the_container_is_removed_afterwards(engine, image):
    engine.run(image, ["true"])
    assert engine.api.containers(all=True, filters={"ancestor": image}) == []


def test_a_timeout_shorter_than_the_limit_is_honoured(engine, image):
    _, result = engine.run(image, ["sleep", "30"], timeout=1)
    assert result.timed_out and 1 <= result.duration < 4
    assert result.outcome.kind is OutcomeKind.TIME_LIMIT
