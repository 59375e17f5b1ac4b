"""Per-exercise statistics: pass rate, median attempts to pass, time to first pass, the checks that fail most and
their messages grouped; each number links to exactly the attempts behind it."""
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from teaching.dashboard import message_key
from teaching.models import Enrollment
from teaching.statistics import class_statistics, failures
from tests.teaching.conftest import logged_in, submission, user

pytestmark = pytest.mark.django_db

SHELL_FORM = ("cmd-exec-form", "CMD is in shell form.")
NOT_RUNNING = ("runs", "It does not run.")


@pytest.fixture
def history(people, exercises):
    """ada passes on her 3rd submission 10 minutes after her first; wei on his 1st; a third learner never."""
    exercise, start = exercises[0], timezone.now() - timedelta(hours=1)
    third = user("third")
    Enrollment.objects.create(classroom=people.classroom, learner=third)
    ada = [submission(people.ada, exercise, passed=False, score=1, failing=[SHELL_FORM], when=start),
           submission(people.ada, exercise, passed=False, score=2, failing=[SHELL_FORM, NOT_RUNNING],
                      when=start + timedelta(minutes=4)),
           submission(people.ada, exercise, passed=True, score=6, when=start + timedelta(minutes=10))]
    wei = [submission(people.wei, exercise, passed=True, score=6, when=start)]
    third_attempts = [submission(third, exercise, passed=False, score=0, failing=[("cmd-exec-form", "Other.")],
                                 when=start)]
    return exercise, ada, wei, third_attempts


def test_the_numbers_of_an_exercise(people, history):
    exercise = history[0]
    row = class_statistics(people.classroom, [exercise])[0]
    assert (row.learners, row.attempted, row.passed, row.submissions) == (3, 3, 2, 5)
    assert row.pass_rate == 66.7
    assert row.median_attempts_to_pass == 2  # 3 and 1
    assert row.median_time_to_pass == timedelta(minutes=5)  # 10 minutes and none
    assert row.histogram() == [(1, 1), (2, 0), (3, 1)]


def test_failures_are_counted_per_check_and_grouped_by_message(people, history):
    failed = failures(people.classroom, history[0])
    assert [(f.check, f.count) for f in failed] == [("cmd-exec-form", 3), ("runs", 1)]
    assert [(text, count) for text, _key, count in failed[0].messages] == [(SHELL_FORM[1], 2), ("Other.", 1)]


def _linked_attempts(client, page: str, classroom_id: int) -> dict[str, set[int]]:
    """For each link of a page to the attempts list: the attempts that list shows."""
    links = set(re.findall(rf'href="({reverse("teaching-attempts", args=[classroom_id])}\?[^"]+)"', page))
    attempt_link = rf'href="{reverse("teaching-attempts", args=[classroom_id])}(\d+)/"'
    return {link: {int(found) for found in re.findall(attempt_link, client.get(link.replace("&amp;", "&"))
                                                      .content.decode())} for link in links}


def test_each_number_clicks_through_to_the_attempts_behind_it(people, history):
    exercise, ada, wei, third = history
    client = logged_in(people.teacher)
    page = client.get(reverse("teaching-exercise-statistics", args=[people.classroom.id, exercise.slug]),
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    linked = list(_linked_attempts(client, page, people.classroom.id).values())
    ids = lambda attempts: {attempt.id for attempt in attempts}  # noqa: E731
    assert ids([ada[2], *wei]) in linked  # passed
    assert ids([*ada, *wei, *third]) in linked  # every graded submission
    assert ids([ada[0], ada[1], *third]) in linked  # cmd-exec-form failed
    assert ids([ada[0], ada[1]]) in linked  # with "CMD is in shell form."
    assert ids([ada[1]]) in linked  # runs failed
    assert f"message={message_key({'en': SHELL_FORM[1]})}" in page


def test_the_overview_draws_a_pass_rate_chart_from_the_vendored_library(people, history):
    page = logged_in(people.teacher).get(reverse("teaching-statistics", args=[people.classroom.id])).content.decode()
    assert '<script src="/static/vendor/teaching.js" defer></script>' in page
    assert 'data-chart="0"' in page and "66.7" in page
