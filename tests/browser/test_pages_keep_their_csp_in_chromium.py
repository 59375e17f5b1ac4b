"""In Debian's Chromium: the site's other pages, the admin's included, load without breaking their
Content-Security-Policy (the exercise page is checked in test_exercise_in_chromium.py)."""
import pytest
from django.contrib.auth.models import User

from course.models import Lesson
from tests.servers import collect_csp_violations, logged_in_page, site_on_test_database

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(course):
    User.objects.create_superuser("grace", password="correct horse battery")
    with site_on_test_database() as url:
        yield url


def test_pages_and_the_admin_report_no_violation(server):
    lesson = Lesson.objects.first()
    grace = User.objects.get(username="grace")
    paths = ["/", f"/lessons/{lesson.slug}/", "/accounts/profile/", "/accounts/password_change/", "/admin/",
             f"/admin/auth/user/{grace.id}/change/", "/admin/auth/user/", "/admin/axes/accessattempt/"]
    violations = []
    watch = collect_csp_violations(violations)
    with logged_in_page(server, "grace", "correct horse battery", "/", watch=watch) as page:
        for path in paths:
            assert page.goto(f"{server}{path}").ok, path
            page.wait_for_load_state("networkidle")
    assert not violations, violations
