"""End to end in Debian's Chromium: log in, fix a Dockerfile in the editor, Submit, watch it pass live; reload
during a build and see the log continue. The finished page is saved as test-artifacts/exercise-page.png."""
import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.servers import ARTIFACTS, collect_csp_violations, logged_in_page, replace_dockerfile, site_on_test_database

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

SOLUTION = 'FROM layerlab/python\nWORKDIR /app\nCOPY app.py .\nCMD ["python3", "app.py"]\n'
SLOW = 'FROM layerlab/python\nRUN echo before-the-pause && sleep 4 && echo after-the-pause\nCMD ["true"]\n'


@pytest.fixture
def server(real_engine, course):
    """The product as it runs for real: Daphne with its embedded workers, on the test database."""
    User.objects.create_user("ada", password="correct horse battery")
    with site_on_test_database(SANDBOX_EMBEDDED_WORKERS="true", SANDBOX_WORKERS="2") as url:
        yield url


@pytest.fixture
def page(server):
    """The exercise page; when the test ends, no Content-Security-Policy violation may have been reported."""
    violations = []
    with logged_in_page(server, "ada", "correct horse battery", "/exercises/first-dockerfile/",
                        watch=collect_csp_violations(violations)) as page:
        yield page
    assert not violations, f"the page broke its Content-Security-Policy: {violations}"


def test_a_learner_fixes_the_dockerfile_and_watches_it_pass(page):
    replace_dockerfile(page, SOLUTION)
    page.click("#action-submit")
    expect(page.locator("#timeline")).to_contain_text("COPY app.py .", timeout=60_000)
    expect(page.locator("#output")).to_contain_text("Hello from Layerlab!", timeout=60_000)
    expect(page.locator("#checks")).to_contain_text("cmd-exec-form", timeout=60_000)
    expect(page.locator("#result")).to_contain_text(re.compile(r"6\s*/\s*6"), timeout=60_000)
    expect(page.locator("#result")).to_contain_text("Passed")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "exercise-page.png"), full_page=True)


def test_a_reload_during_the_build_keeps_the_log_going(page):
    replace_dockerfile(page, SLOW)
    page.click("#action-try")
    expect(page.locator("#output")).to_contain_text("before-the-pause", timeout=60_000)
    page.reload()
    expect(page.locator("#output")).to_contain_text("before-the-pause", timeout=30_000)
    expect(page.locator("#output")).to_contain_text("after-the-pause", timeout=60_000)
    expect(page.locator("#result")).to_be_visible(timeout=60_000)


def test_the_badge_follows_a_failed_submit_and_a_return_visit_shows_the_last_result(page):
    expect(page.locator("#exercise-status")).to_have_text("Not started")
    replace_dockerfile(page, "FROM layerlab/python\nCMD python3 app.py\n")
    page.click("#action-submit")
    expect(page.locator("#result")).to_contain_text("Not passed yet", timeout=60_000)
    expect(page.locator("#exercise-status")).to_have_text("1 attempt", timeout=10_000)
    expect(page.locator("#output-source")).to_contain_text("Attempt #1")
    page.reload()
    expect(page.locator("#result")).to_contain_text("Not passed yet", timeout=10_000)
    expect(page.locator("#attempt-status")).to_contain_text("Attempt #1")
    expect(page.locator("#history-list")).to_contain_text("#1")
