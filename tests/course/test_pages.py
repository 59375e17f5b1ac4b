"""Course index, lesson pages, exercise pages and accounts."""
import pytest
from django.contrib.auth.models import User

from attempts.models import Attempt
from course.models import Exercise
from course.sync import sync_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(course_folder):
    course_folder.lesson("01-first", order=1, exercises=["ex-a", "ex-b"])
    course_folder.lesson("02-second", order=2, exercises=["ex-c"])
    course_folder.lesson("03-third", order=3, exercises=["ex-d"])
    sync_course(course_folder.root)
    return course_folder


def attempt(user, slug: str, *, passed: bool, kind="submit", status="finished", outcome="ok") -> Attempt:
    return Attempt.objects.create(user=user, exercise=Exercise.objects.get(slug=slug), kind=kind, status=status,
                                  passed=passed, outcome_kind=outcome)


def test_anonymous_visitors_can_read_the_index_and_lessons(client, course):
    assert client.get("/").status_code == 200
    response = client.get("/lessons/second/")
    assert response.status_code == 200
    assert "Lesson 2" in response.content.decode()


def test_exercises_need_a_login(client, course):
    response = client.get("/exercises/ex-a/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/exercises/ex-a/")


def test_a_logged_in_learner_sees_an_exercise(client, course, ada):
    response = client.get("/exercises/ex-a/")
    assert response.status_code == 200
    assert "Exercise ex-a" in response.content.decode()


def test_progress_shows_not_started_attempted_and_passed(client, course, ada):
    attempt(ada, "ex-a", passed=False)
    attempt(ada, "ex-a", passed=False)
    attempt(ada, "ex-b", passed=False)
    attempt(ada, "ex-b", passed=True)
    page = client.get("/lessons/first/").content.decode()
    assert "2 attempts" in page
    assert "Passed" in page
    index = client.get("/").content.decode()
    assert index.count("Not started") == 2  # ex-c and ex-d


def test_progress_ignores_tries_unfinished_work_and_engine_failures(client, course, ada):
    attempt(ada, "ex-a", passed=None, kind="try")
    attempt(ada, "ex-a", passed=None, status="running")
    attempt(ada, "ex-a", passed=None, outcome="engine_unavailable")
    page = client.get("/lessons/first/").content.decode()
    assert page.count("Not started") == 2


def test_progress_is_each_learners_own(client, course, ada):
    other = User.objects.create_user("bob", password="x-y-z-w-v")
    attempt(other, "ex-a", passed=True)
    assert "Passed" not in client.get("/lessons/first/").content.decode()


def test_lesson_pages_link_previous_and_next(client, course):
    page = client.get("/lessons/second/").content.decode()
    assert 'rel="prev" href="/lessons/first/"' in page
    assert 'rel="next" href="/lessons/third/"' in page


def test_accept_language_picks_chinese(client, course):
    page = client.get("/lessons/first/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "第 1 课" in page and "本页内容" in page and 'lang="zh-Hans"' in page


def test_the_language_switch_remembers_the_choice(client, course):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "逐层理解 Docker 镜像" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Docker images, layer by layer" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_lesson_images_are_served_with_a_strict_policy(client, course):
    response = client.get("/lessons/first/images/stack.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["..%2Fmeta.yaml", "meta.yaml", ".hidden.svg", "nope.svg"])
def test_only_existing_lesson_images_are_served(client, course, name):
    assert client.get(f"/lessons/first/images/{name}").status_code == 404


def test_unknown_lessons_are_404(client, course):
    assert client.get("/lessons/nowhere/").status_code == 404


def test_a_visitor_can_sign_up_and_is_logged_in(client, course):
    response = client.post("/accounts/sign-up/", {
        "username": "grace", "password1": "a-long-unusual-password", "password2": "a-long-unusual-password",
    })
    assert response.status_code == 302
    assert "grace" in client.get("/").content.decode()


@pytest.mark.parametrize("username", ["Grace", "grace hopper", "grace@navy", "-grace", "g" * 41])
def test_a_user_name_must_be_able_to_name_a_registry_namespace(client, course, username):
    response = client.post("/accounts/sign-up/", {
        "username": username, "password1": "a-long-unusual-password", "password2": "a-long-unusual-password",
    })
    assert response.status_code == 200
    assert "It also names your images in the course registry" in response.content.decode()
    assert not User.objects.filter(username=username).exists()


def test_sign_up_errors_are_shown_and_nothing_is_created(client, course):
    response = client.post("/accounts/sign-up/", {"username": "grace", "password1": "abc", "password2": "abd"})
    assert response.status_code == 200
    assert not User.objects.filter(username="grace").exists()


def test_a_learner_can_change_their_password(client, course, ada):
    response = client.post("/accounts/password_change/", {
        "old_password": "correct horse battery",
        "new_password1": "another long passphrase", "new_password2": "another long passphrase",
    })
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.check_password("another long passphrase")


def test_forms_are_csrf_protected(course):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "ada", "password": "x"})
    assert response.status_code == 403
