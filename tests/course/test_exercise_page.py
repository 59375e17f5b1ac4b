"""The exercise page's HTTP side: page data, draft autosave, attempt history, all scoped to their owner."""
import json
import re

import pytest
from django.contrib.auth.models import User

from attempts.models import Attempt, Draft
from course.models import Exercise

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("course")]


def page_data(response) -> dict:
    found = re.search(r'<script id="exercise-data" type="application/json">(.*?)</script>', response.content.decode(),
                      re.DOTALL)
    return json.loads(found[1])


def test_the_page_starts_from_the_starter_files(client, ada):
    data = page_data(client.get("/exercises/first-dockerfile/"))
    assert data["files"] == data["starter"]
    assert set(data["files"]) == {"Dockerfile", "app.py"}
    assert data["urls"]["draft"] == "/exercises/first-dockerfile/draft"
    assert data["active_attempt"] is None


def test_a_saved_draft_is_what_the_page_opens_with(client, ada):
    files = {"Dockerfile": "FROM layerlab/python\nWORKDIR /app\n", "app.py": "print(2)\n"}
    response = client.put("/exercises/first-dockerfile/draft", json.dumps({"files": files}),
                          content_type="application/json")
    assert response.status_code == 204
    assert page_data(client.get("/exercises/first-dockerfile/"))["files"] == files


def test_a_draft_over_the_limits_is_refused_with_a_reason(client, ada):
    response = client.put("/exercises/first-dockerfile/draft", json.dumps({"files": {"app.py": "x"}}),
                          content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["en"] == "There is no Dockerfile."
    assert not Draft.objects.exists()


BAD_JSON = {"en": "The body must be JSON: {\"files\": {...}}.", "zh-hans": "请求体必须是 JSON：{\"files\": {...}}。"}


@pytest.mark.parametrize(("body", "error"), [
    (b"[" * 100_000, BAD_JSON),
    (b"\xff\xfe", BAD_JSON),
    (b'{"files": ' + b"9" * 5_000 + b"}", BAD_JSON),
    (b"[]", BAD_JSON),
    (json.dumps({"files": {"Dockerfile": "FROM x", "\ud800": "x"}}).encode(),
     {"en": "The file name '\\ud800' is not valid UTF-8 text, or holds a NUL character.",
      "zh-hans": "文件名 '\\ud800' 不是有效的 UTF-8 文本，或含有 NUL 字符。"}),
    (json.dumps({"files": {"Dockerfile": "FROM x\u0000"}}).encode(),
     {"en": "Dockerfile is not valid UTF-8 text, or holds a NUL character.",
      "zh-hans": "Dockerfile 不是有效的 UTF-8 文本，或含有 NUL 字符。"}),
], ids=["nested", "not-utf8", "long-number", "not-an-object", "surrogate-name", "nul-content"])
def test_a_malformed_draft_is_refused_with_a_reason(client, ada, body, error):
    response = client.put("/exercises/first-dockerfile/draft", body, content_type="application/json")
    assert (response.status_code, response.json()) == (400, {"error": error})
    assert not Draft.objects.exists()


def test_an_attempt_id_too_large_for_the_database_is_not_found(client, ada):
    for digits in (20, 5_000):
        assert client.get(f"/attempts/{'9' * digits}").status_code == 404


def test_draft_saves_need_the_csrf_token(course):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.create_user("bob"))
    response = strict.put("/exercises/first-dockerfile/draft", json.dumps({"files": {"Dockerfile": "FROM x"}}),
                          content_type="application/json")
    assert response.status_code == 403


def test_the_page_names_the_attempt_still_running(client, ada):
    exercise = Exercise.objects.get(slug="first-dockerfile")
    attempt = Attempt.objects.create(user=ada, exercise=exercise, kind="submit", status="running")
    assert page_data(client.get("/exercises/first-dockerfile/"))["active_attempt"] == {"id": attempt.id,
                                                                                      "number": attempt.number}


def test_history_lists_only_the_learners_own_attempts(client, ada):
    exercise = Exercise.objects.get(slug="first-dockerfile")
    mine = Attempt.objects.create(user=ada, exercise=exercise, kind="submit", status="finished", passed=True,
                                  score=6, max_score=6, files={"Dockerfile": "FROM layerlab/python\n"})
    other = User.objects.create_user("mallory")
    theirs = Attempt.objects.create(user=other, exercise=exercise, kind="submit", files={"Dockerfile": "secret"})
    listed = client.get("/exercises/first-dockerfile/attempts").json()["attempts"]
    assert [a["id"] for a in listed] == [mine.id]
    assert client.get(f"/attempts/{mine.id}").json()["files"] == {"Dockerfile": "FROM layerlab/python\n"}
    assert client.get(f"/attempts/{theirs.id}").status_code == 404


def test_the_exercise_page_shows_instructions_in_the_learners_language(client, ada):
    page = client.get("/exercises/first-dockerfile/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "你的第一个 Dockerfile" in page and "工作目录" in page
