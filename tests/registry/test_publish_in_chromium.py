"""End to end in Debian's Chromium with the course registry: Build & Run an image that prints hello, publish it
from the Publish panel, see the reference and its digest, then Submit and pass an exercise graded from what the
registry holds. The panel after publishing is saved as test-artifacts/publish-panel.png."""
import json
import re

import pytest
from playwright.sync_api import expect

from tests.servers import ARTIFACTS, daphne, logged_in_page, replace_dockerfile

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

DOCKERFILE = 'FROM layerlab/busybox\nCMD ["echo", "hello"]\n'
EXERCISE = "/exercises/push-private-registry/"


@pytest.fixture
def site(registry_settings, stack, course):
    """A second Daphne, for the page itself: embedded workers, the stack's registry, the test database."""
    with daphne({**stack["environment"], "SANDBOX_EMBEDDED_WORKERS": "true", "SANDBOX_WORKERS": "1"}) as url:
        yield url


@pytest.fixture
def browser_page(site, learner):
    """Logged in as a new learner on the exercise; every frame the page sends on its websocket is kept."""
    learner("pubby")
    sent: list[dict] = []

    def keep_sent_frames(page) -> None:
        page.on("websocket", lambda socket: socket.on("framesent", lambda text: sent.append(json.loads(text))))

    with logged_in_page(site, "pubby", "pubby-site-password", EXERCISE, watch=keep_sent_frames) as page:
        expect(page.locator("#connection-status")).to_have_attribute("data-state", "open", timeout=30_000)
        yield page, sent


def passed_check(page, check_id: str):
    return page.locator(f"#checks li.check.passed:has(code:text-is('{check_id}'))")


def test_a_learner_publishes_from_the_page_and_passes(browser_page, stack):
    page, sent = browser_page
    panel = page.locator("#publish-panel")
    expect(panel).to_be_hidden()

    replace_dockerfile(page, DOCKERFILE)
    page.click("#action-try")
    expect(page.locator("#result")).to_contain_text("Built and ran", timeout=120_000)
    expect(page.locator("#output")).to_contain_text(re.compile(r"container output\W*hello"))

    # The panel appears after a Build & Run that worked, filled in with what the exercise is graded from.
    expect(panel).to_be_visible()
    expect(page.locator("#publish-repository")).to_have_value("hello")
    expect(page.locator("#publish-tags")).to_have_value("1.0")
    expect(page.locator("#publish-preview")).to_have_text(f"{stack['registry']}/pubby/hello:1.0")
    expect(page.locator("#publish-button")).to_be_enabled()

    # A name Docker would refuse is said as it is typed, never previewed, and nothing goes to the server.
    page.fill("#publish-repository", "Hello World")
    expect(page.locator("#publish-error")).to_contain_text("lower-case")
    expect(page.locator("#publish-preview li")).to_have_count(0)
    page.fill("#publish-repository", "hello")
    page.fill("#publish-tags", "-bad")
    expect(page.locator("#publish-error")).to_contain_text("“-bad” is not a valid tag")
    expect(page.locator("#publish-preview li")).to_have_count(0)
    page.click("#publish-button")
    expect(page.locator("#publish-error")).to_contain_text("“-bad” is not a valid tag")
    expect(page.locator("#publish-tags")).to_have_attribute("aria-invalid", "true")
    assert not [frame for frame in sent if frame.get("type") == "publish"]

    # Fixed: the message goes as the learner types, and the publish goes through.
    page.fill("#publish-tags", "1.0")
    expect(page.locator("#publish-error")).to_have_text("")
    page.click("#publish-button")
    reference = f"{stack['registry']}/pubby/hello:1.0"
    published = page.locator("#published-list li.published")
    expect(published).to_have_count(1, timeout=120_000)
    expect(published).to_contain_text(reference)
    expect(published.locator(".digest")).to_have_text(re.compile(r"^sha256:[0-9a-f]{64}$"))
    expect(page.locator("#result")).to_contain_text("Published", timeout=60_000)
    expect(page.locator("#publish-status")).to_contain_text("published")
    expect(page.locator("#layers li.layer").first).to_be_visible()
    expect(page.locator("#output")).to_contain_text("pushing to the course registry")
    expect(page.locator("#history-list")).to_contain_text("Publish", timeout=30_000)
    frames = [frame for frame in sent if frame.get("type") == "publish"]
    assert len(frames) == 1 and frames[0]["repository"] == "hello" and frames[0]["tags"] == ["1.0"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "publish-panel.png"), full_page=True)

    # Graded from the registry: the grader pulls what was published and runs it.
    page.click("#action-submit")
    expect(page.locator("#result")).to_contain_text("Passed", timeout=180_000)
    expect(passed_check(page, "published")).to_be_visible()
    expect(passed_check(page, "prints-hello")).to_be_visible()
    expect(page.locator("#exercise-status")).to_contain_text("Passed")

    # The account page lists what was published, and deletes it.
    page.goto(page.url.split("/exercises/")[0] + "/accounts/profile/")
    row = page.locator("table.images tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("pubby/hello")
    page.screenshot(path=str(ARTIFACTS / "account-images.png"), full_page=True)
    row.get_by_role("button", name="Delete pubby/hello (1.0)").click()
    expect(page.locator(".messages")).to_contain_text("Deleted pubby/hello@sha256:")
    expect(page.locator("table.images")).to_have_count(0)
    expect(page.get_by_text("Nothing published yet.")).to_be_visible()
