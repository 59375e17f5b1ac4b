"""The progress matrix: a cell per learner and exercise, sorting and filtering, who is stuck and on which check,
in the same number of queries whatever the class size."""
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attempts.models import Attempt
from teaching.models import Deadline, Enrollment
from teaching.progress import STUCK_AFTER_FAILURES, class_progress
from tests.teaching.conftest import logged_in, submission, user

pytestmark = pytest.mark.django_db


def test_cells_say_not_started_attempts_or_passed_with_score_and_when(people, exercises):
    first, second = exercises[:2]
    submission(people.ada, first, passed=False, score=2)
    passed = submission(people.ada, first, passed=True, score=6)
    submission(people.wei, second, passed=False, score=1)
    progress = class_progress(people.classroom)
    ada_first = progress.cell(people.ada, first)
    assert (ada_first.status, ada_first.attempts, ada_first.best_score, ada_first.passed_at) == \
        ("passed", 2, 6, passed.created_at)
    assert progress.cell(people.wei, second).status == "attempted"
    assert progress.cell(people.wei, first).status == "not_started"


def test_sorting_by_progress_puts_the_most_passed_first_and_by_name_alphabetically(people, exercises):
    submission(people.wei, exercises[0], passed=True, score=6)
    by_name = [learner.username for learner, _cells, _passed in class_progress(people.classroom).rows("name")]
    by_progress = [learner.username for learner, _cells, _passed in
                   class_progress(people.classroom).rows("progress")]
    assert by_name == ["ada", "zhang-wei"] and by_progress == ["zhang-wei", "ada"]


def test_the_page_filters_by_lesson_and_links_each_row_to_the_learners_history(people, exercises):
    lesson = exercises[-1].lesson
    page = logged_in(people.teacher).get(reverse("teaching-class", args=[people.classroom.id]),
                                         {"lesson": lesson.id, "order": "progress"}).content.decode()
    assert exercises[-1].slug in page and exercises[0].slug not in page
    assert reverse("teaching-learner", args=[people.classroom.id, people.ada.id]) in page


def test_failures_in_a_row_make_a_learner_stuck_with_the_check_they_keep_failing(people, exercises):
    exercise = exercises[0]
    for _ in range(STUCK_AFTER_FAILURES):
        submission(people.ada, exercise, passed=False, score=1,
                   failing=[("cmd-exec-form", "CMD is in shell form."), ("runs", "It does not run.")][:2 - _ % 2])
    submission(people.wei, exercise, passed=False, score=1)  # one failure, just now: not stuck
    stuck = class_progress(people.classroom).stuck
    assert [(entry.learner, entry.exercise, entry.reason, entry.failures, entry.check) for entry in stuck] == \
        [(people.ada, exercise, "failures", STUCK_AFTER_FAILURES, "cmd-exec-form")]


def test_a_pass_ends_the_streak_and_a_long_silence_after_a_failure_is_stuck_too(people, exercises):
    long_ago = timezone.now() - timedelta(hours=1)
    for _ in range(STUCK_AFTER_FAILURES):
        submission(people.ada, exercises[0], passed=False, score=1, when=long_ago)
    submission(people.ada, exercises[0], passed=True, score=6, when=long_ago + timedelta(minutes=1))
    submission(people.wei, exercises[1], passed=False, score=1, when=long_ago, failing=[("runs", "No.")])
    stuck = class_progress(people.classroom).stuck
    assert [(entry.learner, entry.reason, entry.check) for entry in stuck] == [(people.wei, "idle", "runs")]


def _queries_of_the_matrix_page(client, classroom) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("teaching-class", args=[classroom.id])).status_code == 200
    return len(queries)


def test_the_matrix_page_takes_as_many_queries_for_two_learners_as_for_eight(people, exercises):
    client = logged_in(people.teacher)
    for _ in range(STUCK_AFTER_FAILURES):  # one stuck learner in both
        submission(people.ada, exercises[0], passed=False, score=1, failing=[("runs", "No.")])
    small = _queries_of_the_matrix_page(client, people.classroom)
    for number in range(6):
        learner = user(f"learner-{number}")
        Enrollment.objects.create(classroom=people.classroom, learner=learner)
        for exercise in exercises[:3]:
            for _ in range(STUCK_AFTER_FAILURES):
                submission(learner, exercise, passed=False, score=1, failing=[("runs", "No.")])
    assert _queries_of_the_matrix_page(client, people.classroom) == small


def test_the_dashboard_speaks_chinese_to_a_chinese_reader_and_sends_its_script_the_same(people, exercises):
    client = logged_in(people.teacher)
    client.post(reverse("set_language"), {"language": "zh-hans"})
    page = client.get(reverse("teaching-class", args=[people.classroom.id])).content.decode()
    assert "遇到困难" in page and "动态" in page
    assert json.dumps("未连接：正在重新连接…")[1:-1] in page  # the script's texts, in the page's data


def test_the_page_draws_each_cell_as_the_live_script_does(people, exercises):
    """Each cell also keeps its numbers and due date, which teaching-live.js adds the class's news to."""
    first, second = exercises[:2]
    passed = submission(people.ada, first, passed=True, score=6)
    submission(people.ada, second, passed=False, score=1)
    due_at = timezone.now() + timedelta(days=1)
    Deadline.objects.create(classroom=people.classroom, exercise=second, due_at=due_at)
    page = logged_in(people.teacher).get(reverse("teaching-class", args=[people.classroom.id]),
                                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    passed_at = Attempt.objects.get(id=passed.id).created_at.isoformat()
    assert f'<td class="cell passed" data-learner="{people.ada.id}" data-exercise="{first.id}" data-attempts="1" ' \
           f'data-late-attempts="0" data-best-score="6" data-max-score="6" data-passed-at="{passed_at}">' \
           '<span class="score">✓ 6/6</span>' in page
    assert f'<td class="cell attempted" data-learner="{people.ada.id}" data-exercise="{second.id}" data-attempts="1" ' \
           f'data-late-attempts="0" data-best-score="1" data-max-score="6" data-due-at="{due_at.isoformat()}">' \
           '1 attempt</td>' in page
    assert f'<td class="cell not_started" data-learner="{people.wei.id}" data-exercise="{first.id}" ' \
           'data-attempts="0" data-late-attempts="0">' in page
