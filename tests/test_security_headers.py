"""Security headers: a Content-Security-Policy on every page (inline styles on the exercise page only, the
lesson images' own stricter one kept), no framing, no sniffing, and Secure cookies with HSTS under LAYERLAB_HTTPS."""
import os
import subprocess
import sys

import pytest
from django.contrib.auth.models import User

from course.models import Lesson
from tests.servers import PROJECT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("course")]


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.fixture
def ada(client):
    user = User.objects.create_user("ada", password="correct horse battery")
    client.force_login(user)
    return user


@pytest.fixture
def lesson_path() -> str:
    return f"/lessons/{Lesson.objects.first().slug}/"


@pytest.mark.parametrize("path", ["/", "lesson", "/accounts/login/", "/accounts/sign-up/", "/admin/login/",
                                  "/no-such-page/"])
def test_every_page_forbids_inline_scripts_framing_and_other_origins(client, lesson_path, path):
    response = client.get(lesson_path if path == "lesson" else path)
    csp = policy(response)
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["connect-src"] == ["'self'", "ws://testserver", "wss://testserver"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_exercise_page_alone_allows_inline_styles_for_its_editor_and_terminal(client, ada):
    csp = policy(client.get("/exercises/first-dockerfile/"))
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["script-src"] == ["'self'"]


def test_a_lesson_image_keeps_its_own_stricter_policy(client, lesson_path):
    image = client.get(lesson_path).content.decode().split(f'src="{lesson_path}images/')[1].split('"')[0]
    response = client.get(f"{lesson_path}images/{image}")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"


def test_plain_http_gets_no_hsts_and_cookies_without_secure(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert "Strict-Transport-Security" not in response
    assert not response.cookies["csrftoken"]["secure"]


def https_settings(**environment: str) -> subprocess.CompletedProcess:
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")
    return subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], cwd=PROJECT,
                          env={**os.environ, **environment}, capture_output=True, text=True, timeout=60)


def test_layerlab_https_turns_on_secure_cookies_hsts_and_the_proxys_scheme():
    assert https_settings(LAYERLAB_HTTPS="false").stdout.split() == ["False", "False", "0", "None"]
    assert https_settings(LAYERLAB_HTTPS="true").stdout.strip() == (
        "True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')")
    assert https_settings(LAYERLAB_HTTPS="true", LAYERLAB_HSTS_SECONDS="600").stdout.split()[2] == "600"


def test_a_bad_layerlab_https_stops_the_site_with_the_variables_name():
    finished = https_settings(LAYERLAB_HTTPS="sometimes")
    assert finished.returncode != 0
    assert "LAYERLAB_HTTPS must be true or false" in finished.stderr


def test_over_https_pages_carry_hsts_and_cookies_are_secure(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    User.objects.create_user("ada", password="correct horse battery")
    response = client.post("/accounts/login/", {"username": "ada", "password": "correct horse battery"},
                           HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response.cookies["sessionid"]["secure"]
