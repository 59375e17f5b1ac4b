"""The login throttle at the site's login and the admin's: a guesser waits, longer each time; the real user from
another address does not; a success forgets that user's failures from that address. (The registry realm's side:
tests/registry/test_token_server.py.)"""
import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.db.models import F

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.7"
LEARNER_AT_HOME = "198.51.100.20"
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # hundreds of logins


@pytest.fixture
def ada():
    return User.objects.create_user("ada", password=PASSWORD)


def log_in(client, username: str, password: str, address: str, url: str = "/accounts/login/"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def guess(client, times: int, username: str = "ada", address: str = GUESSER, url: str = "/accounts/login/"):
    for _ in range(times):
        assert log_in(client, username, "a-wrong-guess", address, url).status_code == 200  # the form, checked


def time_passes(seconds: int) -> None:
    """As if `seconds` had gone by since every failure recorded so far."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(seconds=seconds))


def assert_waits(response, at_most: int, more_than: int = 0) -> None:
    assert response.status_code == 429
    assert more_than < int(response["Retry-After"]) <= at_most
    assert "Try again in" in response.content.decode()


def test_a_guesser_waits_after_the_limit_even_with_the_right_password(client, ada):
    guess(client, 5)
    response = log_in(client, "ada", PASSWORD, GUESSER)
    assert_waits(response, at_most=60)
    assert "Try again in 1 minute." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_real_user_at_another_address_still_logs_in(client, ada):
    guess(client, 5)
    assert log_in(client, "ada", PASSWORD, LEARNER_AT_HOME).status_code == 302


def test_the_wait_doubles_with_each_further_wrong_password(client, ada):
    guess(client, 5)
    time_passes(61)
    guess(client, 1)  # checked again once the wait is over
    assert_waits(log_in(client, "ada", PASSWORD, GUESSER), at_most=120, more_than=60)
    time_passes(121)
    guess(client, 1)
    assert_waits(log_in(client, "ada", PASSWORD, GUESSER), at_most=240, more_than=120)


def test_the_wait_has_a_ceiling_and_then_ends(client, ada, settings):
    settings.LOGIN_BACKOFF_MAX_SECONDS = 300
    guess(client, 5)
    for _ in range(6):
        time_passes(301)
        guess(client, 1)
    assert_waits(log_in(client, "ada", PASSWORD, GUESSER), at_most=300, more_than=240)
    time_passes(301)
    assert log_in(client, "ada", PASSWORD, GUESSER).status_code == 302


def test_attempts_while_waiting_are_refused_unchecked_and_do_not_lengthen_the_wait(client, ada):
    guess(client, 5)
    for _ in range(10):
        assert log_in(client, "ada", "another-guess", GUESSER).status_code == 429
    time_passes(61)
    guess(client, 1)
    assert_waits(log_in(client, "ada", PASSWORD, GUESSER), at_most=120, more_than=60)


def test_a_successful_login_forgets_that_users_failures_from_that_address(client, ada):
    guess(client, 4)
    assert log_in(client, "ada", PASSWORD, GUESSER).status_code == 302
    client.post("/accounts/logout/")
    guess(client, 4)
    assert log_in(client, "ada", PASSWORD, GUESSER).status_code == 302


def test_one_address_guessing_many_names_waits_even_after_logging_in_itself(client, ada, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 8
    User.objects.create_user("mallory", password="mallory-pass-123")
    for number in range(7):
        guess(client, 1, username=f"learner{number}")
    assert log_in(client, "mallory", "mallory-pass-123", GUESSER).status_code == 302  # forgets only mallory's
    client.post("/accounts/logout/")
    guess(client, 1, username="learner7")
    assert_waits(log_in(client, "ada", PASSWORD, GUESSER), at_most=60)
    assert log_in(client, "ada", PASSWORD, LEARNER_AT_HOME).status_code == 302


def test_one_name_guessed_from_many_addresses_waits_everywhere(client, ada, settings):
    settings.LOGIN_FAILURES_PER_USER = 12
    for number in range(3):
        guess(client, 4, address=f"203.0.113.{number + 10}")
    assert_waits(log_in(client, "ada", PASSWORD, LEARNER_AT_HOME), at_most=60)


def test_the_admin_login_has_the_same_throttle(client):
    User.objects.create_superuser("root-admin", password="admin-pass-123")
    guess(client, 3, username="root-admin", url="/admin/login/")
    guess(client, 2, username="root-admin")  # the site's login counts towards the same limit
    assert_waits(log_in(client, "root-admin", "admin-pass-123", GUESSER, url="/admin/login/"), at_most=60)
    assert log_in(client, "root-admin", "admin-pass-123", LEARNER_AT_HOME, url="/admin/login/").status_code == 302


def test_the_wait_page_speaks_the_learners_language(client, ada):
    guess(client, 5)
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}, REMOTE_ADDR=GUESSER,
                           HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert response.status_code == 429
    assert "1 分钟" in response.content.decode()
