"""A starter's comments in the page's language: `starter.<language>/` translates the starter's files (only those,
never new ones), sync_course stores it, and the exercise page opens with it in that language."""
import json
import re

import pytest
from django.utils import translation

from course.exercises import ExerciseInvalid, load_exercise
from course.models import Exercise
from course.sync import sync_course

pytestmark = pytest.mark.django_db

ENGLISH = "FROM layerlab/busybox\n# Print hello.\n"
CHINESE = "FROM layerlab/busybox\n# 输出 hello。\n"


@pytest.fixture
def exercise_folder(course_folder):
    lesson = course_folder.lesson("01-first", order=1, exercises=["ex-a"])
    folder = lesson / "exercises" / "ex-a"
    (folder / "starter" / "Dockerfile").write_text(ENGLISH)
    (folder / "starter" / "notes.txt").write_text("left as it is\n")
    (folder / "starter.zh-hans").mkdir()
    (folder / "starter.zh-hans" / "Dockerfile").write_text(CHINESE)
    return folder


def page_files(client, language: str) -> dict:
    response = client.get("/exercises/ex-a/", HTTP_ACCEPT_LANGUAGE=language)
    found = re.search(r'<script id="exercise-data" type="application/json">(.*?)</script>', response.content.decode(),
                      re.DOTALL)
    data = json.loads(found[1])
    assert data["files"] == data["starter"]
    return data["files"]


def test_the_loader_reads_a_translated_starter_whole(exercise_folder):
    exercise = load_exercise(exercise_folder)
    assert exercise.starter["Dockerfile"].decode() == ENGLISH
    assert exercise.translated_starters == {"zh-hans": {"Dockerfile": CHINESE.encode(),
                                                        "notes.txt": b"left as it is\n"}}


def test_a_translated_starter_may_not_add_a_file(exercise_folder):
    (exercise_folder / "starter.zh-hans" / "extra.sh").write_text("echo\n")
    with pytest.raises(ExerciseInvalid, match="may only translate the starter's files, not add extra.sh"):
        load_exercise(exercise_folder)


def test_the_page_opens_with_the_starter_in_its_language(exercise_folder, course_folder, client, ada):
    sync_course(course_folder.root)
    assert page_files(client, "zh-CN")["Dockerfile"] == CHINESE
    assert page_files(client, "en")["Dockerfile"] == ENGLISH
    assert page_files(client, "zh-CN")["notes.txt"] == "left as it is\n"


def test_an_exercise_without_a_translation_opens_with_its_starter(course_folder):
    course_folder.lesson("01-first", order=1, exercises=["ex-a"])
    sync_course(course_folder.root)
    exercise = Exercise.objects.get(slug="ex-a")
    with translation.override("zh-hans"):
        assert exercise.localized_starter() == exercise.starter
