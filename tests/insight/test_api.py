"""Insight's JSON API: who may explore which image, and what the answers hold."""
import threading

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse

from attempts import jobs, leases
from attempts.models import Attempt
from course.models import Exercise

pytestmark = pytest.mark.django_db

FILES = {"Dockerfile": 'FROM layerlab/python\nWORKDIR /app\nCOPY app.py .\nCMD ["python3", "app.py"]\n',
         "app.py": "print('Hello from Layerlab!')\n"}


@pytest.fixture
def ada(client, course):
    user = User.objects.create_user("ada", password="pw-ada-123456")
    client.force_login(user)
    return user


def attempt_of(user, **fields) -> Attempt:
    return Attempt.objects.create(user=user, exercise=Exercise.objects.get(slug="first-dockerfile"), kind="try",
                                  files=FILES, **fields)


def test_it_wants_a_login(client, course):
    response = client.get(reverse("insight-base", kwargs={"key": "layerlab/busybox"}))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_learner_cannot_explore_another_learners_attempt(client, ada):
    bea = User.objects.create_user("bea")
    theirs = attempt_of(bea, status="finished", outcome_kind="ok")
    for name in ("insight-attempt", "insight-attempt-union", "insight-attempt-file"):
        assert client.get(reverse(name, kwargs={"key": theirs.id}), {"layer": 0, "path": "etc/passwd"}
                          ).status_code == 404


def test_only_course_base_images_are_open_to_everyone(client, ada):
    assert client.get(reverse("insight-base", kwargs={"key": "layerlab-cache/anything"})).status_code == 404


def test_an_attempt_that_made_no_image_says_so(client, ada):
    refused = attempt_of(ada, status="finished", outcome_kind="rejected")
    response = client.get(reverse("insight-attempt", kwargs={"key": refused.id}))
    assert response.status_code == 404 and "no image" in response.json()["error"]["en"]


@pytest.mark.engine
def test_a_base_image_is_explained_with_its_union_and_files(client, ada, settings, tmp_path, real_engine):
    settings.STATE_DIR = tmp_path
    key = {"key": "layerlab/busybox"}
    explained = client.get(reverse("insight-base", kwargs=key), {"args": ["echo", "hi"]}).json()
    assert explained["argv"] == ["echo", "hi"] and explained["cmd_replaced_by_args"]
    union = client.get(reverse("insight-base-union", kwargs=key), {"path": "etc/pass"}).json()
    assert [entry["path"] for entry in union["entries"]] == ["etc/passwd"]
    passwd = client.get(reverse("insight-base-file", kwargs=key), {"layer": 0, "path": "/etc/passwd"}).json()
    assert "learner:x:1000:1000" in passwd["text"] and not passwd["binary"]
    binary = client.get(reverse("insight-base-file", kwargs=key), {"layer": 0, "path": "bin/busybox"}).json()
    assert binary["binary"] and binary["text"] is None and binary["truncated"]


@pytest.mark.engine
def test_a_learners_own_attempt_is_rebuilt_explored_and_untagged(client, ada, settings, tmp_path, real_engine,
                                                                 engine):
    settings.STATE_DIR = tmp_path
    attempt = jobs.submit(ada, Exercise.objects.get(slug="first-dockerfile"), "try", FILES)
    jobs.run_attempt(real_engine, leases.claim_next("test:1"), threading.Event())
    explained = client.get(reverse("insight-attempt", kwargs={"key": attempt.id})).json()
    assert [(layer["instruction"], layer["line"]) for layer in explained["layers"] if layer["line"]] == [
        ("WORKDIR /app", 2), ("COPY app.py .", 3), ('CMD ["python3", "app.py"]', 4)]
    assert explained["argv"] == ["python3", "app.py"]
    assert not real_engine.image_exists(f"layerlab-attempt:{attempt.sandbox_id}-insight")


@pytest.mark.engine
def test_an_attempt_is_compared_with_the_reference_solution(client, ada, settings, tmp_path, real_engine, engine):
    settings.STATE_DIR = tmp_path
    files = {**FILES, "Dockerfile": "FROM layerlab/python\nWORKDIR /app\nCOPY . .\nCMD python3 app.py\n",
             "notes.txt": "left behind\n"}
    attempt = jobs.submit(ada, Exercise.objects.get(slug="first-dockerfile"), "try", files)
    jobs.run_attempt(real_engine, leases.claim_next("test:1"), threading.Event())
    compared = client.get(reverse("insight-attempt-compare", kwargs={"key": attempt.id})).json()
    [cmd] = [difference for difference in compared["config"] if difference["field"] == "cmd"]
    assert (cmd["mine"], cmd["reference"]) == (["/bin/sh", "-c", "python3 app.py"], ["python3", "app.py"])
    assert "app/notes.txt" in compared["only_mine"]["paths"] and "app/Dockerfile" in compared["only_mine"]["paths"]
    assert compared["only_reference"]["count"] == 0
    assert compared["layers"]["mine"] == compared["layers"]["reference"]
    assert not real_engine.image_exists(f"layerlab-attempt:{attempt.sandbox_id}-reference")


def test_one_learner_explores_one_image_at_a_time(client, ada):
    mine = attempt_of(ada, status="finished", outcome_kind="rejected")
    cache.add(f"insight.exploring.{ada.pk}", True)
    try:
        response = client.get(reverse("insight-attempt", kwargs={"key": mine.id}))
    finally:
        cache.delete(f"insight.exploring.{ada.pk}")
    assert response.status_code == 429 and "already" in response.json()["error"]["en"]


def test_the_attempt_page_is_its_owners_only(client, ada):
    theirs = attempt_of(User.objects.create_user("bea"), status="finished", outcome_kind="ok")
    assert client.get(reverse("insight-attempt-page", kwargs={"key": theirs.id})).status_code == 404


@pytest.mark.engine
def test_the_attempt_page_says_why_the_cache_missed_and_what_is_wasted(client, ada, settings, tmp_path,
                                                                      real_engine, engine):
    settings.STATE_DIR = tmp_path
    exercise = Exercise.objects.get(slug="first-dockerfile")
    wasteful = {**FILES, "Dockerfile": FILES["Dockerfile"].replace("CMD", "RUN head -c 5000 /dev/zero > junk\n"
                                                                          "RUN rm junk\nCMD")}
    for files in (wasteful, {**wasteful, "app.py": "print('Hello from Layerlab!')  # again\n"}):
        attempt = jobs.submit(ada, exercise, "try", files)
        jobs.run_attempt(real_engine, leases.claim_next("test:1"), threading.Event())
    page = client.get(reverse("insight-attempt-page", kwargs={"key": attempt.id}), {"path": "app/"}).content.decode()
    assert "Step 3 (line 3) missed the cache: the files it copies changed: app.py." in page
    assert "<code>/app/junk</code>" in page and "4.9\xa0KB" in page  # 5000 bytes, as Django writes sizes
    assert "<code>/app/app.py</code>" in page  # the filtered filesystem
    assert "[&quot;python3&quot;, &quot;app.py&quot;]" in page
