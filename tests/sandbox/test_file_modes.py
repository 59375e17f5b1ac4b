"""Files keep their mode, as in Docker: a script runs directly only when it was sent executable, and Docker's own
"permission denied" for one that was not is explained in plain words."""
import pytest

from engine.facts import Advice, LogLine
from engine.modes import not_executable_advice

pytestmark = pytest.mark.engine

SCRIPT = b"#!/bin/sh\necho the script ran\n"
RUNS_IT = 'FROM layerlab/busybox\nWORKDIR /app\nCOPY run.sh data.txt ./\nCMD ["./run.sh"]\n'


def built(engine, dockerfile: str, executable=()):
    return engine.build_ok(dockerfile, executable=executable, **{"run.sh": SCRIPT, "data.txt": b"x\n"})


def test_copy_keeps_the_mode_each_file_was_sent_with(engine):
    image = built(engine, RUNS_IT, executable={"run.sh"}).image
    _, result = engine.run(image, ["stat", "-c", "%n %a", "run.sh", "data.txt"])
    assert result.stdout == "run.sh 755\ndata.txt 644\n"


def test_an_executable_script_runs_as_the_command(engine):
    events, result = engine.run(built(engine, RUNS_IT, executable={"run.sh"}).image)
    assert result.exit_code == 0 and LogLine("stdout", "the script ran") in events
    assert not any(isinstance(event, Advice) for event in events)


def test_a_script_without_the_bit_fails_as_in_docker_and_is_explained(engine):
    events, result = engine.run(built(engine, RUNS_IT).image)
    assert result.exit_code == 126 and "Permission denied" in result.stderr
    advice = [event for event in events if isinstance(event, Advice)]
    assert len(advice) == 1
    assert "./run.sh could not be run: permission denied" in advice[0].message["en"]
    assert "chmod +x" in advice[0].message["en"] and "chmod +x" in advice[0].message["zh-hans"]
    assert advice[0].message["zh-hans"] != advice[0].message["en"]


def test_running_it_without_an_init_process_is_refused_by_the_runtime_and_explained(engine):
    image = built(engine, RUNS_IT).image
    stopped = engine.stop_time(image, grace=1, settle=0.1)
    assert stopped.start_error is not None and "permission denied" in stopped.start_error.message()


def test_a_run_step_of_a_script_without_the_bit_fails_the_build_and_is_explained(engine):
    dockerfile = "FROM layerlab/busybox\nCOPY run.sh /\nRUN /run.sh\n"
    events, result = engine.build({"Dockerfile": dockerfile.encode(), "run.sh": SCRIPT})
    assert not result.outcome.ok and "126" in result.outcome.message()
    advice = [event for event in events if isinstance(event, Advice)]
    assert len(advice) == 1 and advice[0].message["en"].startswith("/run.sh could not be run")


def test_a_run_step_of_the_same_script_with_the_bit_builds(engine):
    dockerfile = "FROM layerlab/busybox\nCOPY run.sh /\nRUN /run.sh\n"
    events, result = engine.build({"Dockerfile": dockerfile.encode(), "run.sh": SCRIPT}, executable={"run.sh"})
    assert result.outcome.ok and LogLine("build", "the script ran") in events


def test_a_failure_for_another_reason_gets_no_advice(engine):
    events, result = engine.run(built(engine, RUNS_IT).image, ["sh", "-c", "echo no; exit 126"])
    assert result.exit_code == 126
    assert not any(isinstance(event, Advice) for event in events)


@pytest.mark.parametrize(("said", "path"), [
    ('unable to start container process: exec: "/app/run.sh": permission denied: unknown', "/app/run.sh"),
    ("[FATAL tini (7)] exec ./run.sh failed: Permission denied", "./run.sh"),
    ("/bin/sh: /run.sh: Permission denied", "/run.sh"),
    ("/bin/sh: 1: ./start.sh: Permission denied", "./start.sh"),
    ("/bin/sh: can't create /etc/motd: Permission denied", None),  # a refused redirection, not a script
    ("/bin/sh: 1: cannot create /etc/motd: Permission denied", None),
    ("cat: can't open '/root/x': Permission denied", None),
])
def test_dockers_words_for_a_file_without_its_bit_are_told_from_other_refusals(said, path):
    advice = not_executable_advice(said)
    assert (advice["en"].split(" could not be run")[0] if advice else None) == path
