"""The executable switch in Debian's Chromium: a script's tab shows "+x", the switch works from the keyboard, the
draft keeps what it was set to, Build & Run fails as Docker would without the bit and says why, comparing shows a
changed mode, and restoring an attempt restores its modes."""
import pytest
from playwright.sync_api import expect

from attempts.models import Draft
from tests.servers import ARTIFACTS, learners_page
from tests.sockets import in_a_thread

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

SCRIPT_TAB = "#file-tabs [role=tab]:has-text('greet.sh')"


@pytest.fixture
def page(server):
    """The entrypoint-cmd page, whose starter greet.sh is executable in the repository; no CSP violation."""
    with learners_page(server, "/exercises/entrypoint-cmd/") as page:
        yield page


def saved_executable() -> list[str] | None:
    """What the learner's draft holds; read off Playwright's event loop, where Django refuses database calls."""
    draft = in_a_thread(Draft.objects.first)
    return draft.executable if draft else None


def test_the_switch_marks_a_file_executable_and_the_build_follows_it(page):
    switch = page.get_by_role("switch", name="greet.sh is executable (chmod +x)")
    page.click(SCRIPT_TAB)
    expect(page.locator(SCRIPT_TAB)).to_contain_text("+x")
    expect(switch).to_be_checked()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".file-bar").screenshot(path=str(ARTIFACTS / "file-modes.png"))

    switch.focus()
    page.keyboard.press("Space")  # a learner's chmod -x, from the keyboard
    expect(switch).not_to_be_checked()
    expect(page.locator(f"{SCRIPT_TAB} .tab-mark")).to_be_hidden()
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)
    assert saved_executable() == []

    page.reload()
    page.click(SCRIPT_TAB)
    expect(page.get_by_role("switch", name="greet.sh is executable (chmod +x)")).not_to_be_checked()
    page.click("#action-try")
    expect(page.locator("#output")).to_contain_text("Permission denied", timeout=60_000)
    expect(page.locator("#output")).to_contain_text("could not be run: permission denied", timeout=30_000)
    expect(page.locator("#result")).to_be_visible(timeout=60_000)

    page.click(SCRIPT_TAB)
    switch = page.get_by_role("switch", name="greet.sh is executable (chmod +x)")
    switch.focus()
    page.keyboard.press("Space")
    expect(page.locator(SCRIPT_TAB)).to_contain_text("+x")
    page.click("#action-try")
    expect(page.locator("#output")).to_contain_text("Hello, world!", timeout=60_000)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)
    assert saved_executable() == ["greet.sh"]


def test_restoring_an_attempt_restores_its_modes(page):
    page.click(SCRIPT_TAB)
    page.get_by_role("switch", name="greet.sh is executable (chmod +x)").uncheck()
    page.click("#action-try")
    expect(page.locator("#result")).to_be_visible(timeout=60_000)
    page.click(SCRIPT_TAB)
    page.get_by_role("switch", name="greet.sh is executable (chmod +x)").check()
    expect(page.locator(SCRIPT_TAB)).to_contain_text("+x")

    page.locator("#history-list button").first.click()  # the attempt just made, built without the bit
    expect(page.locator("#attempt-file-tabs [role=tab]:has-text('greet.sh')")).to_be_visible(timeout=10_000)
    expect(page.locator("#attempt-file-tabs [role=tab]:has-text('greet.sh') .tab-mark")).to_be_hidden()
    page.click("#compare-show")  # against the editor, where greet.sh is executable again
    expect(page.locator("#diff-body")).to_contain_text("greet.sh — mode 0644 → 0755")
    page.click("#attempt-restore")
    page.click("#confirm-dialog-ok")
    expect(page.locator(f"{SCRIPT_TAB} .tab-mark")).to_be_hidden(timeout=10_000)
    page.click(SCRIPT_TAB)
    expect(page.get_by_role("switch", name="greet.sh is executable (chmod +x)")).not_to_be_checked()
