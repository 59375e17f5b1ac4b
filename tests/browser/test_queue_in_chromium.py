"""In Debian's Chromium, with one worker busy with another learner's build: the page says where its attempt
waits and for about how long, then that it builds, with the clock against the build's limit."""
import json
import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.servers import logged_in_page, replace_dockerfile, site_on_test_database
from tests.sockets import session_cookie

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

BUSY = 'FROM layerlab/python\nRUN sleep 6\nCMD ["true"]\n'


@pytest.fixture
def server(real_engine, course):
    User.objects.create_user("ada", password="correct horse battery")
    with site_on_test_database(SANDBOX_EMBEDDED_WORKERS="true", SANDBOX_WORKERS="1") as url:
        yield url


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
        replace_dockerfile(page, 'FROM layerlab/python\nCMD ["true"]\n')
        page.click("#action-try")
        expect(page.locator("#attempt-status")).to_contain_text("排第 1 位", timeout=30_000)
        expect(page.locator("#attempt-status")).to_contain_text("第 1 次尝试")
        expect(page.locator("#attempt-status")).to_contain_text(re.compile("正在构建镜像|正在运行容器"),
                                                                timeout=60_000)
        expect(page.locator("#result")).to_be_visible(timeout=60_000)
