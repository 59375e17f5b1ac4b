"""Regrade with a preview, on the real engine: after the exercise's checks change, the preview regrades exactly
the submissions graded against the older version, through the queue, and lists those whose verdict or score
changes; nothing counts until it is applied, and the original results stay."""
import time

import pytest
from django.urls import reverse

from attempts.models import Attempt
from course.models import Exercise
from teaching.models import RegradeRun, definition_version
from teaching.progress import class_progress
from teaching.regrade import outdated_submissions, run_results
from tests.sockets import running_workers
from tests.teaching.conftest import logged_in, submission

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

SOLUTION = {"Dockerfile": 'FROM layerlab/busybox\nWORKDIR /app\nRUN echo "built at build time" > build-info.txt\n'
                          'CMD ["echo", "Hello at run time"]\n'}


def _wait_for(run: RegradeRun, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not all(result.ended for result in run_results(run)):
        assert time.monotonic() < deadline, "the regrade did not end"
        time.sleep(0.5)


def test_the_preview_lists_exactly_the_changed_submissions_and_applying_makes_them_count(people, real_engine):
    exercise = Exercise.objects.get(slug="run-vs-cmd")
    old_definition = exercise.definition
    new_definition = {**old_definition, "checks": [{**old_definition["checks"][0], "points": 7},
                                                   *old_definition["checks"][1:]]}
    new_maximum = sum(check.get("points", 1) for check in new_definition["checks"])
    wrongly_failed = submission(people.ada, exercise, passed=False, score=0, files=SOLUTION)
    unchanged = submission(people.wei, exercise, passed=True, score=new_maximum, files=SOLUTION)
    Exercise.objects.filter(id=exercise.id).update(definition=new_definition)  # what sync_course does
    exercise.refresh_from_db()
    current = submission(people.wei, exercise, passed=True, score=new_maximum, files=SOLUTION)
    Attempt.objects.filter(id=current.id).update(definition=new_definition)
    assert [a.id for a in outdated_submissions(people.classroom, exercise)] == [wrongly_failed.id, unchanged.id]

    client = logged_in(people.teacher)
    with running_workers(real_engine, size=1):
        response = client.post(reverse("teaching-regrade", args=[people.classroom.id, exercise.slug]))
        run = RegradeRun.objects.get()
        assert response["Location"] == run.get_absolute_url()
        _wait_for(run)
    results = {result.original.id: result for result in run_results(run)}
    assert set(results) == {wrongly_failed.id, unchanged.id}
    assert {original for original, result in results.items() if result.changes} == {wrongly_failed.id}
    regraded = results[wrongly_failed.id].again
    assert (regraded.passed, regraded.score) == (True, new_maximum)
    assert definition_version(regraded.definition) == run.version == definition_version(new_definition)
    page = client.get(run.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 of 2 regraded; 1 would change." in page

    assert class_progress(people.classroom).cell(people.ada, exercise).status == "attempted"  # not applied yet
    client.post(reverse("teaching-regrade-apply", args=[people.classroom.id, run.id]))
    cell = class_progress(people.classroom).cell(people.ada, exercise)
    assert (cell.status, cell.on_time_score) == ("passed", new_maximum)
    wrongly_failed.refresh_from_db()
    assert (wrongly_failed.passed, wrongly_failed.score) == (False, 0)  # the original result stays
