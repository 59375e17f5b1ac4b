"""Building a submission on the real engine: events, server-chosen tags, labels, cache and errors."""
import pytest

from engine.engine import (
    ATTEMPT_REPOSITORY,
    LABEL_ATTEMPT,
    LABEL_CREATED,
    LABEL_ROLE,
    BuildStep,
    LogLine,
    StepFinished,
)
from engine.outcomes import OutcomeKind

pytestmark = pytest.mark.engine

HELLO = """FROM layerlab/busybox
WORKDIR /app
COPY hello.sh .
RUN echo "built at build time" > /app/stamp && cat /app/stamp
CMD ["./hello.sh"]
"""
SCRIPT = b"#!/bin/sh\necho hello from the container\n"


def test_it_streams_steps_with_dockerfile_lines(engine):
    events, result = engine.build({"Dockerfile": HELLO.encode(), "hello.sh": SCRIPT})
    steps = [e for e in events if isinstance(e, BuildStep)]
    assert result.outcome.ok
    assert [(s.number, s.total, s.line) for s in steps] == [(1, 5, 1), (2, 5, 2), (3, 5, 3), (4, 5, 4), (5, 5, 5)]
    assert steps[3].instruction.startswith("RUN echo")


def test_it_streams_run_step_output_as_log_lines(engine):
    events, _ = engine.build({"Dockerfile": HELLO.encode(), "hello.sh": SCRIPT})
    assert LogLine("build", "built at build time") in events


def test_it_hides_the_builders_own_chatter(engine):
    events, result = engine.build({"Dockerfile": HELLO.encode(), "hello.sh": SCRIPT})
    texts = [e.text for e in events if isinstance(e, LogLine)]
    assert not any(t.startswith((" --->", "Removing intermediate", "Successfully")) for t in texts)
    assert "org.layerlab" not in result.log


def test_it_tags_the_image_itself_and_labels_it(engine):
    _, result = engine.build({"Dockerfile": HELLO.encode(), "hello.sh": SCRIPT}, attempt_id="a42")
    labels = engine.inspect_raw(result.image)["Config"]["Labels"]
    assert result.image == "layerlab-attempt:a42"
    assert labels[LABEL_ROLE] == "attempt"
    assert labels[LABEL_ATTEMPT] == "a42"
    assert int(labels[LABEL_CREATED]) > 0


def test_it_reports_cached_steps_on_a_rebuild(engine):
    files = {"Dockerfile": HELLO.encode(), "hello.sh": SCRIPT}
    engine.build(files)
    events, result = engine.build(files)
    finished = {e.number: e.cached for e in events if isinstance(e, StepFinished)}
    assert [step.cached for step in result.steps] == [False, True, True, True, True]
    assert finished[4] is True


def test_a_changed_file_rebuilds_from_its_copy_step(engine):
    engine.build({"Dockerfile": HELLO.encode(), "hello.sh": SCRIPT})
    _, result = engine.build({"Dockerfile": HELLO.encode(), "hello.sh": SCRIPT + b"echo more\n"})
    assert [step.cached for step in result.steps] == [False, True, False, False, False]


def test_a_failing_step_names_its_step_and_line(engine):
    dockerfile = b"FROM layerlab/busybox\nRUN echo fine\nRUN echo about to fail && exit 3\n"
    events, result = engine.build({"Dockerfile": dockerfile})
    assert result.outcome.kind is OutcomeKind.BUILD_ERROR
    assert result.outcome.detail["step"] == 3
    assert result.outcome.detail["line"] == 3
    assert "returned a non-zero code: 3" in result.outcome.message()
    assert "第 3 步" in result.outcome.message("zh-hans")
    assert LogLine("build", "about to fail") in events


def test_a_missing_context_file_is_a_build_error_at_its_copy_line(engine):
    _, result = engine.build({"Dockerfile": b"FROM layerlab/busybox\n\nCOPY nothere.txt /\n"})
    assert result.outcome.kind is OutcomeKind.BUILD_ERROR
    assert result.outcome.detail["line"] == 3


def test_a_failed_build_leaves_no_tag_or_container_and_keeps_its_finished_steps_as_cache(engine):
    failing = b"FROM layerlab/busybox\nRUN echo unique-4711 > /f\nRUN exit 1\n"
    _, result = engine.build({"Dockerfile": failing})
    assert result.outcome.kind is OutcomeKind.BUILD_ERROR
    assert not engine.api.images(name=ATTEMPT_REPOSITORY)
    assert not engine.api.containers(all=True, filters={"label": LABEL_ROLE})
    _, fixed = engine.build({"Dockerfile": failing.replace(b"exit 1", b"true")})
    assert [step.cached for step in fixed.steps] == [False, True, False]


def test_scripts_sent_executable_run_as_the_command(engine):
    result = engine.build_ok(HELLO, executable={"hello.sh"}, **{"hello.sh": SCRIPT})
    _, run = engine.run(result.image)
    assert run.stdout == "hello from the container\n"


def test_dockerignore_in_the_context_is_honoured(engine):
    files = {
        "Dockerfile": b"FROM layerlab/busybox\nCOPY . /ctx\nCMD [\"ls\", \"/ctx\"]\n",
        ".dockerignore": b"secret.txt\n",
        "secret.txt": b"do not ship",
        "kept.txt": b"ok",
    }
    _, result = engine.build(files)
    _, run = engine.run(result.image)
    assert "kept.txt" in run.stdout
    assert "secret.txt" not in run.stdout


def test_builder_colours_stay_in_lines_but_not_in_the_transcript(engine):
    events, result = engine.build({"Dockerfile": b"FROM layerlab/busybox\nRUN echo to-stderr >&2\n"})
    coloured = [e.text for e in events if isinstance(e, LogLine) and "to-stderr" in e.text]
    assert coloured and coloured[0] != "to-stderr"  # the builder marks stderr in red
    assert "to-stderr\n" in result.log and "\x1b" not in result.log
    assert not any("Removing intermediate" in e.text for e in events if isinstance(e, LogLine))


def test_from_scratch_leaves_no_bare_arrow_in_the_log(engine):
    events, result = engine.build({"Dockerfile": b"FROM scratch\nCOPY note.txt /note.txt\n", "note.txt": b"hi\n"})
    assert result.outcome.ok, result.outcome.message()
    assert [e for e in events if isinstance(e, LogLine) and e.text.strip() == "--->"] == []
    assert [e.number for e in events if isinstance(e, StepFinished)] == [1, 2]
