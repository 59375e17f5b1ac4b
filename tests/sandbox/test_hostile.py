"""Hostile submissions: each is contained by the sandbox and ends with its own outcome and a plain message."""
import socket
import threading
import time

import pytest

from engine.outcomes import OutcomeKind

pytestmark = pytest.mark.engine

FORK_BOMB = "bomb() { bomb | bomb & }; bomb; sleep 60"
MEMORY_HOG = "python3 -c 'hog = bytearray(400 * 1024 * 1024); print(len(hog))'"


def dockerfile(*lines: str) -> dict[str, bytes]:
    return {"Dockerfile": "\n".join(lines).encode() + b"\n"}


@pytest.fixture
def busybox(engine):
    return engine.build_ok("FROM layerlab/busybox\n").image


@pytest.fixture
def python(engine):
    return engine.build_ok("FROM layerlab/python\n").image


@pytest.fixture
def course_server():
    """A TCP server on loopback standing in for the course server; counts the connections it accepts."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            accepted.append(connection)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join()
    listener.close()


def test_a_fork_bomb_in_run_hits_the_process_limit_while_an_honest_build_completes(engine):
    honest = {}

    def honest_build():
        time.sleep(2)  # start while the bomb is at full strength
        steps = dockerfile("FROM layerlab/busybox", "RUN for i in 1 2 3 4 5; do sh -c 'echo $i'; done")
        honest["result"] = engine.build(steps)[1]

    thread = threading.Thread(target=honest_build)
    thread.start()
    bomb_limits = engine.limits.capped_at(build_timeout=10)
    _, bomb = engine.build(dockerfile("FROM layerlab/busybox", f"RUN {FORK_BOMB}"), limits=bomb_limits)
    thread.join()
    assert bomb.outcome.kind is OutcomeKind.PROCESS_LIMIT
    assert "64 processes" in bomb.outcome.message()
    assert honest["result"].outcome.ok, honest["result"].outcome.message()


def test_a_fork_bomb_at_run_time_hits_the_process_limit(engine, busybox):
    _, result = engine.run(busybox, ["sh", "-c", FORK_BOMB])
    assert result.outcome.kind is OutcomeKind.PROCESS_LIMIT
    assert "进程" in result.outcome.message("zh-hans")


def test_a_memory_hog_in_run_is_out_of_memory(engine):
    _, result = engine.build(dockerfile("FROM layerlab/python", f"RUN {MEMORY_HOG}"))
    assert result.outcome.kind is OutcomeKind.OUT_OF_MEMORY
    assert "128 MB" in result.outcome.message()


def test_a_memory_hog_at_run_time_is_out_of_memory(engine, python):
    _, result = engine.run(python, ["sh", "-c", MEMORY_HOG])
    assert result.oom_killed
    assert result.outcome.kind is OutcomeKind.OUT_OF_MEMORY
    assert "内存" in result.outcome.message("zh-hans")


def test_an_endless_loop_in_run_hits_the_time_limit(engine):
    started = time.monotonic()
    loop = dockerfile("FROM layerlab/busybox", "RUN while :; do :; done")
    _, result = engine.build(loop, limits=engine.limits.capped_at(build_timeout=3))
    assert result.outcome.kind is OutcomeKind.TIME_LIMIT
    assert "3 s" in result.outcome.message()
    assert time.monotonic() - started < 10


def test_an_endless_loop_at_run_time_hits_the_time_limit(engine, busybox):
    _, result = engine.run(busybox, ["sh", "-c", "while :; do :; done"])
    assert result.timed_out
    assert result.outcome.kind is OutcomeKind.TIME_LIMIT
    assert 5 <= result.duration < 10


def test_an_output_flood_in_run_is_cut_off_and_stopped(engine):
    started = time.monotonic()
    events, result = engine.build(dockerfile("FROM layerlab/busybox", "RUN yes flood"))
    assert result.outcome.kind is OutcomeKind.OUTPUT_TRUNCATED
    assert result.output_truncated
    assert len(result.log.encode()) <= 64 * 1024
    assert time.monotonic() - started < 10  # stopped at the cap, not at the time limit


def test_an_output_flood_at_run_time_is_cut_off_and_stopped(engine, busybox):
    _, result = engine.run(busybox, ["yes", "flood"])
    assert result.output_truncated
    assert result.outcome.kind is OutcomeKind.OUTPUT_TRUNCATED
    assert len(result.stdout.encode()) <= 64 * 1024
    assert result.duration < 5
    assert "64 KB" in result.outcome.message()


def test_run_steps_cannot_reach_the_course_server(engine, course_server):
    port, accepted = course_server
    _, result = engine.build(dockerfile("FROM layerlab/busybox", f"RUN nc -w 2 127.0.0.1 {port} </dev/null"))
    assert result.outcome.kind is OutcomeKind.BUILD_ERROR
    assert "Connection refused" in result.log
    assert accepted == []


def test_containers_cannot_reach_the_course_server(engine, busybox, course_server):
    port, accepted = course_server
    _, result = engine.run(busybox, ["nc", "-w", "2", "127.0.0.1", str(port)])
    assert result.exit_code != 0
    assert "Connection refused" in result.stderr
    assert accepted == []


def test_add_with_a_url_is_rejected_before_the_engine_is_asked(engine):
    _, result = engine.build(dockerfile("FROM layerlab/busybox", "ADD http://127.0.0.1:9/x.tar /x"))
    assert result.outcome.kind is OutcomeKind.REJECTED
    assert result.outcome.detail["line"] == 2
    assert "ADD" in result.outcome.message()


def test_copy_from_outside_the_context_is_rejected(engine):
    _, result = engine.build(dockerfile("FROM layerlab/busybox", "COPY ../ /host"))
    assert result.outcome.kind is OutcomeKind.REJECTED
    assert result.outcome.rejection.rule == "copy-outside-context"


def test_context_paths_that_climb_out_are_rejected(engine):
    _, result = engine.build({"Dockerfile": b"FROM layerlab/busybox\n", "../escape": b"x"})
    assert result.outcome.kind is OutcomeKind.REJECTED
    assert "../escape" in result.outcome.message()


def test_a_symlink_in_a_context_directory_is_rejected(engine, tmp_path):
    from engine.rules import SubmissionRejected
    from engine.submission_files import read_context_directory

    (tmp_path / "Dockerfile").write_text("FROM layerlab/busybox\nCOPY . /ctx\n")
    (tmp_path / "passwd").symlink_to("/etc/passwd")
    with pytest.raises(SubmissionRejected) as raised:
        read_context_directory(tmp_path)
    assert raised.value.rule == "context-symlink"
    assert "passwd" in raised.value.message()


def test_from_an_image_outside_the_allow_list_is_rejected(engine, busybox):
    _, result = engine.build(dockerfile(f"FROM {busybox}", "RUN echo reading another attempt"))
    assert result.outcome.kind is OutcomeKind.REJECTED
    assert result.outcome.rejection.rule == "from-not-allowed"


def test_a_disk_filling_run_is_stopped_at_the_layer_budget(engine):
    fill = "i=0; while :; do dd if=/dev/zero of=/fill$i bs=1M count=16 2>/dev/null || exit 9; i=$((i+1)); done"
    _, result = engine.build(dockerfile("FROM layerlab/busybox", f"RUN {fill}"))
    assert result.outcome.kind is OutcomeKind.DISK_LIMIT
    assert "64 MB" in result.outcome.message()


def test_one_huge_file_is_stopped_by_the_file_size_limit(engine):
    _, result = engine.build(dockerfile("FROM layerlab/busybox", "RUN dd if=/dev/zero of=/huge bs=1M count=1000"))
    assert result.outcome.kind is OutcomeKind.FILE_SIZE_LIMIT
    assert "32 MB" in result.outcome.message()


def test_a_build_cannot_shadow_a_base_image(engine):
    base_before = engine.inspect_raw("layerlab/busybox")["Id"]
    result = engine.build_ok("FROM layerlab/busybox\nRUN echo evil > /evil\n")
    assert result.image.startswith("layerlab-attempt:")
    assert engine.inspect_raw("layerlab/busybox")["Id"] == base_before
    with pytest.raises(ValueError):
        list(engine.engine.build({"Dockerfile": b"FROM layerlab/busybox\n"}, allowed_bases=["layerlab/busybox"],
                                 attempt_id="../layerlab/busybox"))


def test_a_learner_cannot_forge_the_sandboxs_labels(engine):
    _, result = engine.build(dockerfile("FROM layerlab/busybox", "LABEL org.layerlab.sandbox.role=base"))
    assert result.outcome.kind is OutcomeKind.REJECTED
    assert result.outcome.rejection.rule == "reserved-label"
