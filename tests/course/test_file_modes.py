"""Exercise files keep the mode they have in the repository (git's 100755 is checked out 0755): the loader reads it,
sync_course stores the starter's, the page opens with it, and drafts keep what the learner set."""
import json
import shutil

import pytest
from django.conf import settings

from attempts.models import Draft
from course.exercises import load_exercise
from course.models import Exercise
from course.sync import sync_course
from engine.facts import Advice
from grading.runner import grade, grade_stream

ENTRYPOINT_CMD = settings.COURSE_CONTENT_DIR / "05-run-cmd-entrypoint" / "exercises" / "entrypoint-cmd"
GRACEFUL_STOP = settings.COURSE_CONTENT_DIR / "05-run-cmd-entrypoint" / "exercises" / "graceful-stop"
DRAFT = "/exercises/entrypoint-cmd/draft"


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "entrypoint-cmd"
    shutil.copytree(ENTRYPOINT_CMD, copy)  # modes included
    return copy


def test_the_loader_reads_which_files_are_executable(folder):
    (folder / "starter" / "Dockerfile").chmod(0o755)
    (folder / "solution" / "greet.sh").chmod(0o644)
    exercise = load_exercise(folder)
    assert exercise.starter_executable == {"Dockerfile", "greet.sh"}
    assert exercise.solution.executable == frozenset()


def test_a_wrong_variant_keeps_the_mode_of_the_solution_file_it_inherits_and_of_its_own(folder):
    assert load_exercise(folder).wrong["cmd-only"].executable == {"greet.sh"}
    own = folder / "wrong" / "cmd-only" / "greet.sh"
    own.write_text("#!/bin/sh\necho mine\n")
    own.chmod(0o644)
    assert load_exercise(folder).wrong["cmd-only"].executable == frozenset()


def test_the_script_run_as_an_entrypoint_is_executable_in_the_repository():
    exercise = load_exercise(ENTRYPOINT_CMD)
    assert exercise.starter_executable == {"greet.sh"} == exercise.solution.executable


@pytest.mark.django_db
def test_sync_course_stores_the_starters_executable_files(course_folder):
    lesson = course_folder.lesson("01-first", order=1, exercises=["ex-a"])
    script = lesson / "exercises" / "ex-a" / "starter" / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    (script.parent / "notes.txt").write_text("x\n")
    sync_course(course_folder.root)
    assert Exercise.objects.get(slug="ex-a").starter_executable == ["run.sh"]
    script.chmod(0o644)
    sync_course(course_folder.root)
    assert Exercise.objects.get(slug="ex-a").starter_executable == []


def page_data(client) -> dict:
    html = client.get("/exercises/entrypoint-cmd/").content.decode()
    start = html.index('<script id="exercise-data" type="application/json">')
    return json.loads(html[html.index(">", start) + 1:html.index("</script>", start)])


@pytest.mark.django_db
@pytest.mark.usefixtures("course")
def test_the_page_opens_with_the_starters_modes_then_with_the_drafts(client, ada):
    data = page_data(client)
    assert data["executable"] == data["starter_executable"] == ["greet.sh"]
    files = {"Dockerfile": "FROM layerlab/busybox\n", "greet.sh": "echo\n", "run.sh": "echo\n"}
    saved = client.put(DRAFT, json.dumps({"files": files, "executable": ["run.sh", "run.sh"]}),
                       content_type="application/json")
    assert saved.status_code == 204
    assert Draft.objects.get().executable == ["run.sh"]
    assert page_data(client)["executable"] == ["run.sh"]
    assert page_data(client)["starter_executable"] == ["greet.sh"]


@pytest.mark.django_db
@pytest.mark.usefixtures("course")
@pytest.mark.parametrize(("executable", "error"), [
    ("greet.sh", "executable must be a list of file names."),
    ([1], "executable must be a list of file names."),
    (["missing.sh"], "missing.sh is marked executable, but there is no such file."),
    (["../x"], "The file name '../x' is not allowed"),
])
def test_a_draft_marking_what_is_not_one_of_its_files_is_refused(client, ada, executable, error):
    files = {"Dockerfile": "FROM layerlab/busybox\n", "greet.sh": "echo\n"}
    response = client.put(DRAFT, json.dumps({"files": files, "executable": executable}),
                          content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["en"].startswith(error)
    assert not Draft.objects.exists()


@pytest.mark.engine
def test_grading_a_script_without_its_bit_fails_as_docker_would_and_explains_it_once(real_engine):
    exercise = load_exercise(ENTRYPOINT_CMD)
    events = list(grade_stream(real_engine, exercise.spec, exercise.solution.files, executable=()))
    report = events[-1]
    assert not report.passed
    advice = [event for event in events if isinstance(event, Advice)]
    assert len(advice) == 1 and "greet.sh could not be run" in advice[0].message["en"]
    with_the_bit = grade(real_engine, exercise.spec, exercise.solution.files, executable=exercise.solution.executable)
    assert with_the_bit.passed


@pytest.mark.engine
def test_a_stop_check_of_a_script_without_its_bit_explains_it(real_engine):
    exercise = load_exercise(GRACEFUL_STOP)
    wrapper = exercise.wrong["wrapper-without-exec"]
    events = list(grade_stream(real_engine, exercise.spec, wrapper.files, executable=()))
    [advice] = [event for event in events if isinstance(event, Advice)]
    assert advice.message["en"].startswith("./start.sh could not be run: permission denied.")
