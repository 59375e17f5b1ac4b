"""In Debian's Chromium, two browser contexts: an instructor watches the class matrix while a learner of the
class submits on the exercise page; the learner's cell turns to passed and the feed says so, without a reload.
The statistics page then draws its charts at 360 px without the page scrolling sideways. Screenshots go to
test-artifacts/."""
import os
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect, sync_playwright

from course.models import Exercise
from teaching.models import Classroom, Enrollment
from teaching.roles import make_instructor
from tests.servers import ARTIFACTS, CHROMIUM_FLAGS, collect_csp_violations, daphne, log_in, replace_dockerfile

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

PASSWORD = "correct horse battery"
SOLUTION = 'FROM layerlab/python\nWORKDIR /app\nCOPY app.py .\nCMD ["python3", "app.py"]\n'
EXERCISE = "first-dockerfile"


@pytest.fixture
def server(real_engine, course):
    environment = {**os.environ, "LAYERLAB_DB_PATH": settings.DATABASES["default"]["NAME"],
                   "SANDBOX_REAP_INTERVAL": "0", "SANDBOX_WORKERS": "2"}
    with daphne(environment) as url:
        yield url


@pytest.fixture
def classroom(db) -> Classroom:
    teacher = User.objects.create_user("teacher", password=PASSWORD)
    make_instructor(teacher)
    classroom = Classroom.objects.create(name="Docker 101")
    classroom.instructors.add(teacher)
    for name in ("ada", "grace", "linus"):
        Enrollment.objects.create(classroom=classroom, learner=User.objects.create_user(name, password=PASSWORD))
    return classroom


def context_page(browser, site: str, username: str, path: str, violations: list, width: int = 1400):
    """A page of a browser context of its own, logged in as `username` at `path`."""
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    collect_csp_violations(violations)(page)
    log_in(page, site, username, PASSWORD, path)
    return page


def test_the_matrix_updates_live_as_a_learner_submits(server, classroom):
    ada = User.objects.get(username="ada")
    exercise = Exercise.objects.get(slug=EXERCISE)
    matrix_path = f"/teaching/classes/{classroom.id}/"
    violations = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            instructor = context_page(browser, server, "teacher", matrix_path, violations)
            expect(instructor.locator("#live-status")).to_have_attribute("data-state", "open", timeout=15_000)
            cell = instructor.locator(f'td.cell[data-learner="{ada.id}"][data-exercise="{exercise.id}"]')
            expect(cell).to_have_class(re.compile(r"\bnot_started\b"))

            learner = context_page(browser, server, "ada", f"/exercises/{EXERCISE}/", violations)
            replace_dockerfile(learner, SOLUTION)
            learner.click("#action-submit")

            expect(instructor.locator("#feed li").first).to_contain_text("ada", timeout=60_000)
            expect(cell).to_have_class(re.compile(r"\bpassed\b"), timeout=90_000)
            expect(cell).to_contain_text(re.compile(r"✓ 6/6"))
            passed = instructor.locator(f'tr[data-learner="{ada.id}"] .passed-count')
            expect(passed).to_have_text(re.compile(r"^1/\d+$"))
            expect(learner.locator("#result")).to_contain_text("Passed", timeout=30_000)
            instructor.screenshot(path=str(ARTIFACTS / "class-matrix.png"), full_page=True)

            statistics_path = f"/teaching/classes/{classroom.id}/statistics/{EXERCISE}/"
            narrow = context_page(browser, server, "teacher", statistics_path, violations, width=360)
            expect(narrow.locator("canvas[data-chart]").first).to_be_visible()
            narrow.wait_for_function("document.querySelector('canvas[data-chart]').width > 0")
            assert narrow.evaluate("document.documentElement.scrollWidth") <= 360
            narrow.screenshot(path=str(ARTIFACTS / "exercise-statistics-360.png"), full_page=True)
        finally:
            browser.close()
    assert not violations, f"a page broke its Content-Security-Policy: {violations}"
