"""VOLUME is a size-capped tmpfs that leaves nothing on the engine's disk; a container the runtime refuses to
start is the learner's run_error, in plain words without a host path, on every path that starts one."""
import time
from pathlib import Path

import pytest
from django.conf import settings

from course.exercises import find_exercise_folder, load_exercise
from engine.engine import LABEL_ROLE, runtime_reason, without_host_paths
from engine.outcomes import OutcomeKind
from grading.runner import grade

pytestmark = pytest.mark.engine

REFUSED_WORKDIR = "FROM layerlab/busybox\nWORKDIR /proc/self/nowhere\nCMD [\"pwd\"]\n"


def volume_names(engine) -> set[str]:
    return {volume["Name"] for volume in engine.api.volumes().get("Volumes") or []}


def test_a_declared_volume_is_a_tmpfs_of_the_sandbox_size_and_leaves_no_volume(engine):
    before = volume_names(engine)
    image = engine.build_ok(
        "FROM layerlab/busybox\nVOLUME /data\n"
        "CMD df -k /data | tail -1; head -c 20000000 /dev/zero > /data/big || echo the volume is full\n").image
    _, run = engine.run(image)
    size_kb = int(run.stdout.split()[1])
    assert size_kb == engine.limits.tmpfs_mb * 1024
    assert "the volume is full" in run.stdout  # 20 MB do not fit in the 16 MB the test limits allow
    assert volume_names(engine) == before


def test_build_steps_and_file_reads_under_a_volume_leave_no_volume(engine):
    before = volume_names(engine)
    image = engine.build_ok("FROM layerlab/busybox\nVOLUME /cache\nRUN echo written > /cache/x && ls /cache\n").image
    facts = engine.read_paths(image, ["/cache/x", "/etc/hostname"])
    assert not facts["/cache/x"].exists  # a build step's writes under a VOLUME are not kept, as in Docker
    assert volume_names(engine) == before


def test_the_reaper_removes_sandbox_volumes_and_old_anonymous_ones_but_no_named_one(engine):
    labelled = engine.api.create_volume(labels={LABEL_ROLE: "attempt"})["Name"]
    anonymous = engine.api.create_volume()["Name"]  # a daemon-chosen name, as a crash would leave
    named = engine.api.create_volume(name="someones-data")["Name"]
    try:
        time.sleep(1.1)
        report = engine.reap(older_than=1)
        left = volume_names(engine)
        assert labelled not in left and anonymous not in left and named in left
        assert report.volumes >= 2
    finally:
        engine.api.remove_volume(named, force=True)


def test_a_workdir_the_runtime_refuses_is_a_run_error_without_host_paths(engine):
    image = engine.build_ok(REFUSED_WORKDIR).image
    _, run = engine.run(image)
    assert run.outcome.kind is OutcomeKind.RUN_ERROR
    message = run.outcome.message()
    assert message.startswith("The container could not start: ") and "/proc/self/nowhere" in message
    assert "/var/lib" not in message and "/run/" not in message and ".go:" not in message
    assert run.outcome.message("zh-hans").startswith("容器无法启动：")
    assert engine.stop_time(image).start_error.kind is OutcomeKind.RUN_ERROR


def test_the_grader_reports_a_refused_start_as_failed_checks_not_a_crash(engine):
    spec = load_exercise(find_exercise_folder(Path(settings.COURSE_CONTENT_DIR), "graceful-stop")).spec
    report = grade(engine.engine, spec, {"Dockerfile": REFUSED_WORKDIR.replace("busybox", "python").encode()})
    stop = next(check for check in report.checks if check.id == "stops-in-time")
    assert report.outcome.ok and not stop.passed
    assert "could not start" in stop.message["en"] and "无法启动" in stop.message["zh-hans"]


@pytest.mark.parametrize("explanation, reason", [
    ("failed to create shim task: OCI runtime create failed: runc create failed: unable to start container "
     "process: error during container init: mkdir /proc/self/x: no such file or directory: unknown",
     "mkdir /proc/self/x: no such file or directory."),
    ('OCI runtime create failed: container_linux.go:380: starting container process caused: rootfs_linux.go:76: '
     'mounting "/var/lib/layerlab-engine/data/100000.100000/volumes/v/_data" to rootfs at '
     '"/var/lib/layerlab-engine/data/overlay2/abc/merged/data" caused: not a directory: unknown',
     'starting container process caused: mounting "…" to rootfs at "…" caused: not a directory.'),
])
def test_runtime_reasons_lose_their_wrapping_and_host_paths(explanation, reason):
    assert runtime_reason(explanation) == reason


def test_a_build_error_never_shows_a_path_on_the_engine_host():
    daemon_says = ("failed to get digest sha256:9a1b: open /var/lib/layerlab-engine/data/100000.100000/image/"
                   "overlay2/imagedb/content/sha256/9a1b: no such file or directory")
    assert without_host_paths(daemon_says) == "failed to get digest sha256:9a1b: open …: no such file or directory"
