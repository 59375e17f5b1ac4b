"""Grading real submissions on the real engine: the grade command, streaming, hints and outages."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from course.exercises import find_exercise_folder, load_exercise
from engine.engine import ATTEMPT_REPOSITORY, LABEL_ROLE, Engine
from engine.facts import BuildStep, LogLine, Phase
from grading.runner import CheckResult, GradeReport, grade, grade_stream

pytestmark = pytest.mark.engine
PROJECT = Path(settings.BASE_DIR)


def exercise(slug: str):
    return load_exercise(find_exercise_folder(settings.COURSE_CONTENT_DIR, slug))


def run_grade(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "grade", *args], cwd=PROJECT, capture_output=True,
                          text=True, timeout=300, check=False, env={**os.environ, **env})


def test_the_solution_passes_with_exit_status_0():
    folder = find_exercise_folder(settings.COURSE_CONTENT_DIR, "first-dockerfile")
    finished = run_grade("first-dockerfile", str(folder / "solution"))
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "first-dockerfile: passed, score 6/6" in finished.stdout


def variant_directory(tmp_path, slug: str, variant: str) -> str:
    """A wrong variant written out whole, as a learner's directory would be."""
    for name, data in exercise(slug).wrong[variant].files.items():
        (tmp_path / name).write_bytes(data)
    return str(tmp_path)


def test_a_wrong_variant_fails_with_exit_status_1_and_says_why(tmp_path):
    finished = run_grade("first-dockerfile", variant_directory(tmp_path, "first-dockerfile", "shell-form-cmd"),
                         "--json")
    report = json.loads(finished.stdout)
    assert finished.returncode == 1
    assert set(report) == {"exercise", "passed", "score", "max_score", "outcome", "checks"}
    cmd = next(check for check in report["checks"] if check["id"] == "cmd-exec-form")
    assert cmd["passed"] is False and cmd["points"] == 0
    assert 'CMD is in shell form: ["/bin/sh", "-c", "python3 app.py"]; expected exec form.' == cmd["message"]


def test_messages_come_in_chinese_too(tmp_path):
    finished = run_grade("first-dockerfile", variant_directory(tmp_path, "first-dockerfile", "shell-form-cmd"),
                         "--json", "--language", "zh-hans")
    cmd = next(check for check in json.loads(finished.stdout)["checks"] if check["id"] == "cmd-exec-form")
    assert "shell 形式" in cmd["message"] and "期望 exec 形式" in cmd["message"]


@pytest.mark.parametrize("arguments", [("no-such-exercise", "."), ("first-dockerfile", "/nonexistent/dir")])
def test_invalid_input_exits_with_status_2(arguments):
    finished = run_grade(*arguments)
    assert finished.returncode == 2
    assert finished.stderr.startswith("Invalid input: ")


def test_a_rejected_submission_exits_with_status_2(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM layerlab/python\nADD https://example.org/app.py /app/\n")
    finished = run_grade("first-dockerfile", str(tmp_path))
    assert finished.returncode == 2
    assert "ADD cannot fetch https://example.org/app.py" in finished.stdout


def refused(exercise: str, message: str) -> dict:
    """What --json prints for input refused before grading: a report with no checks, and why."""
    return {"exercise": exercise, "passed": False, "score": 0, "max_score": 0, "outcome": "invalid_input",
            "checks": [], "message": message}


def submission(folder: Path, **files: str) -> str:
    folder.mkdir()
    for name, text in {"Dockerfile": "FROM layerlab/python\n", **files}.items():
        (folder / name).write_text(text)
    return str(folder)


def with_a_link(folder: Path) -> str:
    submission(folder)
    (folder / "passwd").symlink_to("/etc/passwd")
    return str(folder)


def with_a_name_not_utf8(folder: Path) -> str:
    submission(folder)
    (folder / os.fsdecode(b"app\xff.py")).write_text("print(1)\n")
    return str(folder)


@pytest.mark.parametrize(("exercise", "directory", "message"), [
    ("no-such-exercise", lambda tmp: submission(tmp / "s"),
     f"there is no exercise 'no-such-exercise' under {settings.COURSE_CONTENT_DIR}"),
    ("first-dockerfile", lambda tmp: "/nonexistent/dir", "'/nonexistent/dir' is not a directory"),
    ("first-dockerfile", lambda tmp: os.fsdecode(b"/nonexistent/\xff"), "'/nonexistent/\\udcff' is not a directory"),
    ("push-private-registry", lambda tmp: submission(tmp / "s"),
     "push-private-registry is graded from the course registry: give --user <username>"),
    ("first-dockerfile", lambda tmp: with_a_link(tmp / "s"),
     "passwd is a symbolic link. Links are not followed into the build context; copy the file itself."),
    ("first-dockerfile", lambda tmp: with_a_name_not_utf8(tmp / "s"),
     "The file name 'app\\udcff.py' is not valid UTF-8 text, or holds a NUL character."),
], ids=["unknown-exercise", "not-a-directory", "directory-not-utf8", "registry-without-user", "symlink",
        "file-name-not-utf8"])
def test_with_json_refused_input_is_one_json_object_and_exit_status_2(tmp_path, exercise, directory, message):
    finished = run_grade(exercise, directory(tmp_path), "--json")
    assert finished.returncode == 2
    assert json.loads(finished.stdout) == refused(exercise, message)
    assert "Invalid input" not in finished.stderr


def test_a_refusal_speaks_the_chosen_language(tmp_path):
    in_chinese = "文件名 'app\\udcff.py' 不是有效的 UTF-8 文本，或含有 NUL 字符。"
    finished = run_grade("first-dockerfile", with_a_name_not_utf8(tmp_path / "s"), "--json", "--language", "zh-hans")
    assert json.loads(finished.stdout)["message"] == in_chinese
    plain = run_grade("first-dockerfile", with_a_name_not_utf8(tmp_path / "t"), "--language", "zh-hans")
    assert (plain.returncode, plain.stdout) == (2, "")
    assert plain.stderr.rstrip().endswith(f"Invalid input: {in_chinese}")


@pytest.mark.parametrize("files", [{"Dockerfile": "FROM layerlab/python\nADD https://example.org/app.py /app/\n"},
                                   {"app.py": "print(1)\n"}], ids=["add-url", "no-dockerfile"])
def test_with_json_a_rejected_submission_is_a_report_and_exit_status_2(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    finished = run_grade("first-dockerfile", str(tmp_path), "--json")
    report = json.loads(finished.stdout)
    assert (finished.returncode, report["outcome"], report["passed"]) == (2, "rejected", False)
    assert report["checks"][0]["id"] == "builds" and not report["checks"][0]["passed"]


def test_with_json_an_engine_outage_is_a_report_and_exit_status_3():
    folder = find_exercise_folder(settings.COURSE_CONTENT_DIR, "first-dockerfile") / "solution"
    finished = run_grade("first-dockerfile", str(folder), "--json", SANDBOX_DOCKER_HOST="unix:///nonexistent.sock")
    assert finished.returncode == 3
    assert json.loads(finished.stdout) == {"exercise": "first-dockerfile", "passed": False, "score": 0,
                                           "max_score": 0, "outcome": "engine_unavailable", "checks": []}


def test_grading_streams_build_output_run_output_and_checks_in_order(real_engine):
    spec = exercise("entrypoint-cmd").spec
    solution = exercise("entrypoint-cmd").solution
    events = list(grade_stream(real_engine, spec, solution.files, executable=solution.executable))
    kinds = [type(event).__name__ for event in events]
    assert kinds[1] == "BuildStep" and kinds[-1] == "GradeReport"
    assert kinds.index("CheckResult") > max(i for i, kind in enumerate(kinds) if kind in ("BuildStep", "LogLine"))
    assert LogLine("stdout", "Hello, Alice!") in events
    assert [e.id for e in events if isinstance(e, CheckResult)] == [c.id for c in spec.checks]
    assert isinstance(events[1], BuildStep)


def test_grading_says_which_phase_it_is_in_with_the_limits_of_the_exercise(real_engine):
    spec = exercise("entrypoint-cmd").spec
    limits = spec.limits_on(real_engine)
    events = list(grade_stream(real_engine, spec, exercise("entrypoint-cmd").solution.files))
    phases = [event for event in events if isinstance(event, Phase)]
    assert events[0] == Phase("build", limits.build_timeout)
    assert Phase("run", limits.run_timeout) in phases
    assert phases[-1] == Phase("check")
    last_check_phase = max(i for i, event in enumerate(events) if event == Phase("check"))
    assert last_check_phase < min(i for i, event in enumerate(events) if isinstance(event, CheckResult))


def test_a_failed_build_fails_every_check_with_a_reason(real_engine):
    failing = {"Dockerfile": b"FROM layerlab/python\nRUN exit 4\n"}
    report = grade(real_engine, exercise("first-dockerfile").spec, failing)
    assert report.outcome.kind.value == "build_error"
    assert not report.passed and report.score == 0
    assert report.checks[0].message["en"].startswith("The build failed at step 2 (Dockerfile line 2")
    assert report.checks[1].message["en"] == "Not checked: the image did not build."


def test_hints_unlock_after_enough_failed_attempts(real_engine):
    spec = exercise("first-dockerfile").spec
    files = exercise("first-dockerfile").wrong["shell-form-cmd"].files
    locked = grade(real_engine, spec, files, failed_attempts=0)
    unlocked = grade(real_engine, spec, files, failed_attempts=1)
    assert next(c for c in locked.checks if c.id == "cmd-exec-form").hint is None
    assert "JSON array" in next(c for c in unlocked.checks if c.id == "cmd-exec-form").hint["en"]


def test_partial_credit_adds_up(real_engine):
    first = exercise("first-dockerfile")
    report = grade(real_engine, first.spec, first.wrong["no-workdir"].files)
    assert (report.score, report.max_score, report.passed) == (4, 6, False)


def test_an_engine_outage_is_not_an_attempt():
    run_vs_cmd = exercise("run-vs-cmd")
    report = grade(Engine("unix:///nonexistent.sock"), run_vs_cmd.spec, run_vs_cmd.solution.files)
    assert isinstance(report, GradeReport)
    assert report.outcome.kind.value == "engine_unavailable"
    assert not report.counts and not report.passed


def test_grading_leaves_no_attempt_image_or_container_behind_only_cache(real_engine):
    before = {image["Id"] for image in real_engine.api.images(all=True)}
    grade(real_engine, exercise("layer-cache-order").spec, exercise("layer-cache-order").solution.files)
    assert not real_engine.api.images(name=ATTEMPT_REPOSITORY)
    assert not real_engine.api.containers(all=True, filters={"label": LABEL_ROLE})
    real_engine.prune_cache(0, leftovers_older_than=0)
    assert {image["Id"] for image in real_engine.api.images(all=True)} <= before


def test_checks_not_checked_give_no_hint_however_often_it_failed(real_engine):
    failing = {"Dockerfile": b"FROM layerlab/python\nRUN exit 4\n"}
    report = grade(real_engine, exercise("first-dockerfile").spec, failing, failed_attempts=9)
    not_checked = [check for check in report.checks if check.message["en"].startswith("Not checked")]
    assert not_checked and all(check.hint is None for check in not_checked)
    assert report.checks[0].hint is not None  # the build's own check judged the build, and may help


def test_a_layer_is_named_by_the_instruction_written_not_by_dockers_content_hash(real_engine):
    files = {"Dockerfile": b"FROM layerlab/busybox\nCOPY scratch/ /app/\nRUN rm /app/work.tmp\nCMD [\"true\"]\n",
             "scratch/work.tmp": b"x" * 4096}
    report = grade(real_engine, exercise("union-fs-whiteout").spec, files)
    kept = next(check for check in report.checks if check.id == "no-layer-keeps-it")
    assert not kept.passed
    assert "COPY scratch/ /app/" in kept.message["en"] and "dir:" not in kept.message["en"], kept.message
