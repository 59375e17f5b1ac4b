"""End to end in Debian's Chromium: log in, fix a Dockerfile in the editor, Submit, watch it pass live; reload
during a build and see the log continue; the badge follows each Submit; with the one worker busy with another
learner's build, the page says where its attempt waits. The finished page is saved as
test-artifacts/exercise-page.png."""
import json
import re
import uuid

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.servers import ARTIFACTS, learners_page, logged_in_page, replace_dockerfile
from tests.sockets import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

SOLUTION = 'FROM layerlab/python\nWORKDIR /app\nCOPY app.py .\nCMD ["python3", "app.py"]\n'
BUSY = 'FROM layerlab/python\nRUN sleep 6\nCMD ["true"]\n'
SLOW = 'FROM layerlab/python\nRUN echo before-the-pause && sleep 4 && echo after-the-pause\nCMD ["true"]\n'


@pytest.fixture
def page(server):
    """The exercise page; when the test ends, no Content-Security-Policy violation may have been reported."""
    with learners_page(server, "/exercises/first-dockerfile/") as page:
        yield page


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


@pytest.mark.parametrize("server", [1], indirect=True)
def test_a_waiting_attempt_is_told_its_place_then_builds_against_its_limit(server):
    cookie = session_cookie("bob").decode()
    with logged_in_page(server, "ada", "correct horse battery", "/exercises/first-dockerfile/", viewport=(360, 800),
                        locale="zh-CN") as page, \
            connect(server.replace("http", "ws") + "/ws/sandbox/",
                    additional_headers={"Cookie": cookie, "Origin": server}) as other_learner:
        other_learner.send(json.dumps({"type": "try", "exercise": "first-dockerfile", "files": {"Dockerfile": BUSY}}))
        frames = [json.loads(other_learner.recv(timeout=60))]
        while frames[-1]["type"] not in ("build_step", "error", "result"):
            frames.append(json.loads(other_learner.recv(timeout=60)))
        assert frames[-1]["type"] == "build_step", frames  # the only worker is busy with bob's build now
        # A step of its own that takes a while (never cached: its text is new), so that the build can be seen.
        replace_dockerfile(page, f'FROM layerlab/python\nRUN echo {uuid.uuid4().hex} && sleep 3\nCMD ["true"]\n')
        page.click("#action-try")
        expect(page.locator("#attempt-status")).to_contain_text("排第 1 位", timeout=30_000)
        expect(page.locator("#attempt-status")).to_contain_text("第 1 次尝试")
        expect(page.locator("#attempt-status")).to_contain_text(re.compile("正在构建镜像|正在运行容器"),
                                                                timeout=60_000)
        expect(page.locator("#result")).to_be_visible(timeout=60_000)
