"""One attempt of a learner of the class in full: its files, log, every check with its message, the time it took,
and what changed since the learner's previous attempt and against the reference solution."""
import pytest
from django.urls import reverse

from attempts.models import AttemptEvent
from teaching.variants import reference_files
from tests.teaching.conftest import logged_in, submission

pytestmark = pytest.mark.django_db


def test_the_page_shows_files_log_checks_time_and_both_diffs(people, exercises):
    exercise = exercises[0]
    submission(people.ada, exercise, passed=False, score=1, files={"Dockerfile": "FROM layerlab/busybox\nCMD ls\n"})
    attempt = submission(people.ada, exercise, passed=False, score=2, failing=[("cmd-exec-form", "Use exec form.")],
                         files={"Dockerfile": "FROM layerlab/busybox\nCMD ls -l\n"})
    AttemptEvent.objects.create(attempt=attempt, seq=9, data={"type": "log", "stream": "stdout", "text": "total 0",
                                                              "attempt": attempt.id, "seq": 9})
    page = logged_in(people.teacher).get(reverse("teaching-attempt", args=[people.classroom.id, attempt.id]),
                                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "CMD ls -l" in page and "total 0" in page
    assert "cmd-exec-form" in page and "Use exec form." in page
    assert "3.0 s" in page
    assert '<span class="diff-remove">-CMD ls</span>' in page and '<span class="diff-add">+CMD ls -l</span>' in page
    solution_line = next(line for line in reference_files(exercise.slug)["Dockerfile"].splitlines()
                         if line and not line.startswith("FROM layerlab/busybox"))
    assert f'<span class="diff-remove">-{solution_line}</span>' in page


def test_a_first_attempt_says_so(people, exercises):
    attempt = submission(people.wei, exercises[0], passed=True, score=6)
    page = logged_in(people.teacher).get(reverse("teaching-attempt", args=[people.classroom.id, attempt.id]),
                                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "first attempt at this exercise" in page
