"""Signing up: a taken name is a form error (in any case, and when two sign-ups race for it), names kept for the
registry are refused, and one address makes only so many accounts an hour."""
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from course.forms import SignUpForm

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-unusual-password"


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()  # sign-ups per address are counted there
    yield
    cache.clear()


def sign_up(username: str, address: str = "203.0.113.7"):
    return Client().post("/accounts/sign-up/", {"username": username, "password1": PASSWORD, "password2": PASSWORD},
                         REMOTE_ADDR=address)


def test_a_taken_name_is_a_form_error():
    User.objects.create_user("grace", password="graces-own-password")
    response = sign_up("grace")
    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()


def test_a_name_taken_with_capitals_is_taken_too():
    User.objects.create_user("Grace", password="graces-own-password")  # as an administrator may have made it
    response = sign_up("grace")
    assert "A user with that username already exists." in response.content.decode()
    assert not User.objects.filter(username="grace").exists()


def test_two_sign_ups_racing_for_one_name_make_one_account_and_a_form_error(monkeypatch):
    validate = SignUpForm.is_valid

    def valid_then_taken_by_the_other_sign_up(form):
        valid = validate(form)
        if valid:
            User.objects.create_user(form.cleaned_data["username"], password="the-other-learners-password")
        return valid

    monkeypatch.setattr(SignUpForm, "is_valid", valid_then_taken_by_the_other_sign_up)
    response = sign_up("grace")
    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.get(username="grace").check_password("the-other-learners-password")


@pytest.mark.parametrize("username", ["library", "admin", "root", "registry", "v2", "docker", "layerlab", "api",
                                      "static"])
def test_names_kept_for_the_registry_are_refused(username):
    response = sign_up(username)
    assert response.status_code == 200
    assert "is kept for the course registry itself" in response.content.decode()
    assert not User.objects.filter(username=username).exists()


def test_one_address_makes_only_so_many_accounts_an_hour(settings):
    settings.SIGN_UPS_PER_ADDRESS_PER_HOUR = 2
    assert sign_up("grace").status_code == 302
    assert sign_up("ada").status_code == 302
    refused = sign_up("linus")
    assert refused.status_code == 429
    assert "sign-up is paused here for a while" in refused.content.decode()
    assert not User.objects.filter(username="linus").exists()
    assert sign_up("linus", address="198.51.100.20").status_code == 302


def test_refused_sign_ups_do_not_count_towards_the_limit(settings):
    settings.SIGN_UPS_PER_ADDRESS_PER_HOUR = 1
    assert sign_up("library").status_code == 200
    assert sign_up("grace").status_code == 302
