"""Deadlines per lesson or exercise, extensions per learner: late submissions are kept and marked, the gradebook
counts the best on-time one; both CSV files, streamed, cell by cell, with Chinese names a spreadsheet shows."""
import csv
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from teaching.exports import max_score
from teaching.models import Deadline, Extension
from teaching.progress import class_progress
from tests.teaching.conftest import logged_in, submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(people, exercises):
    """The first exercise's lesson is due an hour ago; wei has an extension on the first exercise until tomorrow."""
    now = timezone.now()
    first = exercises[0]
    Deadline.objects.create(classroom=people.classroom, lesson=first.lesson, due_at=now - timedelta(hours=1))
    Extension.objects.create(classroom=people.classroom, learner=people.wei, exercise=first,
                             due_at=now + timedelta(days=1))
    on_time, late = now - timedelta(hours=2), now - timedelta(minutes=5)
    attempts = {
        "ada-on-time": submission(people.ada, first, passed=False, score=3, when=on_time),
        "ada-late": submission(people.ada, first, passed=True, score=6, when=late),
        "wei-extended": submission(people.wei, first, passed=True, score=6, when=late),
    }
    return first, attempts


def test_a_lessons_deadline_marks_late_and_an_extension_or_an_exercises_own_deadline_wins(people, exercises, due):
    first, _attempts = due
    progress = class_progress(people.classroom)
    ada, wei = progress.cell(people.ada, first), progress.cell(people.wei, first)
    assert (ada.late_attempts, ada.on_time_score, ada.best_score) == (1, 3, 6)
    assert (wei.late_attempts, wei.on_time_score) == (0, 6)
    Deadline.objects.create(classroom=people.classroom, exercise=first, due_at=timezone.now())
    assert class_progress(people.classroom).cell(people.ada, first).late_attempts == 0


def test_the_drill_down_says_when_an_attempt_was_late(people, due):
    _first, attempts = due
    client = logged_in(people.teacher)
    for name, late in (("ada-late", True), ("ada-on-time", False), ("wei-extended", False)):
        page = client.get(reverse("teaching-attempt", args=[people.classroom.id, attempts[name].id]),
                          HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert ('<span class="late">late</span>' in page) is late, name


def _csv(client, name: str, classroom_id: int) -> tuple[bytes, list[list[str]]]:
    response = client.get(reverse(name, args=[classroom_id]), HTTP_ACCEPT_LANGUAGE="en")
    assert isinstance(response, StreamingHttpResponse) and response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content)
    return body, list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_gradebook_has_a_row_per_learner_a_column_per_exercise_totals_and_late_flags(people, exercises, due):
    first, _attempts = due
    body, rows = _csv(logged_in(people.teacher), "teaching-gradebook-csv", people.classroom.id)
    assert body.startswith(b"\xef\xbb\xbf")
    slugs = [exercise.slug for exercise in exercises]
    maximum = str(sum(max_score(exercise) for exercise in exercises))
    assert rows[0] == ["username", "name", *slugs, "total", "maximum", "late",
                       "rule: the best on-time submission counts"]
    empty = [""] * (len(slugs) - 1)
    assert rows[1] == ["ada", "Ada Lovelace", "3", *empty, "3", maximum, first.slug, ""]
    assert rows[2] == ["zhang-wei", "伟 张", "6", *empty, "6", maximum, "", ""]
    assert len(rows) == 3


def test_the_attempts_csv_lists_every_attempt_with_its_late_mark(people, due):
    _first, attempts = due
    _body, rows = _csv(logged_in(people.teacher), "teaching-attempts-csv", people.classroom.id)
    assert rows[0] == ["attempt", "username", "name", "exercise", "kind", "status", "passed", "score", "maximum",
                       "submitted (UTC)", "late"]
    by_id = {row[0]: row for row in rows[1:]}
    late = attempts["ada-late"]
    assert by_id[str(late.id)] == [str(late.id), "ada", "Ada Lovelace", late.exercise.slug, "submit", "finished",
                                   "yes", "6", "6", late.created_at.strftime("%Y-%m-%d %H:%M:%S"), "late"]
    assert by_id[str(attempts["ada-on-time"].id)][6:] == ["no", "3", "6", by_id[str(attempts["ada-on-time"].id)][9],
                                                          ""]
    assert by_id[str(attempts["wei-extended"].id)][1:3] == ["zhang-wei", "伟 张"]
    assert by_id[str(attempts["wei-extended"].id)][10] == ""
    assert len(rows) == 4


def test_the_settings_page_sets_and_removes_deadlines_and_extensions(people, exercises):
    client = logged_in(people.teacher)
    classroom = people.classroom
    assert client.get(reverse("teaching-class-settings", args=[classroom.id])).status_code == 200
    client.post(reverse("teaching-set-deadline", args=[classroom.id]),
                {"target": f"exercise:{exercises[1].id}", "due_at": "2030-01-02T03:04"})
    client.post(reverse("teaching-set-extension", args=[classroom.id]),
                {"learner": people.ada.id, "exercise": exercises[1].id, "due_at": "2030-02-02T03:04"})
    deadline, extension = Deadline.objects.get(classroom=classroom), Extension.objects.get(classroom=classroom)
    assert (deadline.exercise, deadline.due_at.isoformat()) == (exercises[1], "2030-01-02T03:04:00+00:00")
    assert (extension.learner, extension.due_at.month) == (people.ada, 2)
    client.post(reverse("teaching-set-extension", args=[classroom.id]),  # not a learner of the class: refused
                {"learner": people.outsider.id, "exercise": exercises[1].id, "due_at": "2030-02-02T03:04"})
    assert Extension.objects.count() == 1
    client.post(reverse("teaching-delete-deadline", args=[classroom.id, deadline.id]))
    assert not Deadline.objects.exists()


def test_a_name_that_would_be_a_formula_stays_text(people, exercises):
    people.ada.first_name, people.ada.last_name = "=HYPERLINK(\"http://evil.example\")", ""
    people.ada.save()
    _body, rows = _csv(logged_in(people.teacher), "teaching-gradebook-csv", people.classroom.id)
    assert rows[1][1] == "'=HYPERLINK(\"http://evil.example\")"
