"""Logging in and out, and the demo accounts."""
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_login_page_renders_with_csrf(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()


def test_a_learner_can_log_in_and_out(client):
    User.objects.create_user("ada", password="correct horse battery")
    response = client.post("/accounts/login/", {"username": "ada", "password": "correct horse battery"})
    assert response.status_code == 302
    assert "ada" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert "ada" not in client.get("/").content.decode()


def test_demo_accounts_are_created_with_the_given_password(monkeypatch):
    monkeypatch.setenv("LAYERLAB_DEMO_PASSWORD", "demo-password-123")
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    assert User.objects.get(username="instructor").groups.filter(name="instructors").exists()
    assert User.objects.get(username="learner").check_password("demo-password-123")
    assert "demo-password-123" in out.getvalue()
