"""In Debian's Chromium at 360 × 800, a small phone: no lesson and no exercise page, in English or in Chinese, is
wider than the screen (tables and code scroll inside their box, long words break, diagrams scale); the theme the
reader switches to stays for the next pages."""
import pytest
from django.contrib.auth.models import User

from course.models import Exercise, Lesson
from tests.servers import ARTIFACTS, logged_in_page, site_on_test_database

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (360, 800)


@pytest.fixture
def server(course):
    User.objects.create_user("ada", password="correct horse battery")
    with site_on_test_database() as url:
        yield url


def course_pages() -> list[str]:
    lessons = [lesson.get_absolute_url() for lesson in Lesson.objects.all()]
    exercises = [exercise.get_absolute_url() for exercise in Exercise.objects.visible()]
    return ["/", "/accounts/profile/", *lessons, *exercises]


@pytest.mark.parametrize("locale, lang", [("en-US", "en"), ("zh-CN", "zh-Hans")])
def test_no_page_is_wider_than_a_phone(server, locale, lang):
    paths = course_pages()
    assert len(paths) > 10
    too_wide = {}
    with logged_in_page(server, "ada", "correct horse battery", "/", viewport=PHONE, locale=locale) as page:
        for path in paths:
            assert page.goto(f"{server}{path}").ok, path
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.lang") == lang
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE[0]:
                too_wide[path] = width
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"phone-{lang}.png"))
    assert not too_wide, f"pages wider than {PHONE[0]} px: {too_wide}"


def test_the_theme_switch_is_remembered_across_pages(server):
    with logged_in_page(server, "ada", "correct horse battery", "/", viewport=PHONE, locale="zh-CN") as page:
        theme = page.evaluate("document.documentElement.dataset.theme")
        other = "light" if theme == "dark" else "dark"
        page.click("#theme-switch")
        assert page.evaluate("document.documentElement.dataset.theme") == other
        page.goto(f"{server}/exercises/first-dockerfile/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == other
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == ("rgb(15, 20, 25)" if other == "dark" else "rgb(255, 255, 255)")
        assert page.locator("#theme-switch").text_content() == ("浅色主题" if other == "dark" else "深色主题")
