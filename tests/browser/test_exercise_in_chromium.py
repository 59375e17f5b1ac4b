"""End to end in Debian's Chromium: log in, fix a Dockerfile in the editor, Submit, watch it pass live; reload
during a build and see the log continue. The finished page is saved as test-artifacts/exercise-page.png."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import expect, sync_playwright

from course.sync import sync_course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
SOLUTION = 'FROM layerlab/python\nWORKDIR /app\nCOPY app.py .\nCMD ["python3", "app.py"]\n'
SLOW = 'FROM layerlab/python\nRUN echo before-the-pause && sleep 4 && echo after-the-pause\nCMD ["true"]\n'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(real_engine):
    """The product as it runs for real: Daphne with its embedded workers, on the test database."""
    sync_course(settings.COURSE_CONTENT_DIR)
    User.objects.create_user("ada", password="correct horse battery")
    port = free_port()
    environment = {**os.environ, "LAYERLAB_DB_PATH": settings.DATABASES["default"]["NAME"],
                   "SANDBOX_REAP_INTERVAL": "0", "SANDBOX_WORKERS": "2"}
    process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                "layerlab.asgi:application"], cwd=settings.BASE_DIR, env=environment)
    deadline = time.monotonic() + 30
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture
def page(server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server}/accounts/login/?next=/exercises/first-dockerfile/")
        page.fill("input[name=username]", "ada")
        page.fill("input[name=password]", "correct horse battery")
        page.click("form.form button[type=submit]")
        page.wait_for_url("**/exercises/first-dockerfile/")
        yield page
        browser.close()


def replace_dockerfile(page, text: str) -> None:
    page.click("#file-tabs [role=tab]:has-text('Dockerfile')")
    editor = page.locator("#file-panels .cm-content:visible")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    editor.type(text)  # typed like a learner, line by line


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
