"""The class's grades and attempts as CSV, streamed row by row so a large class never sits in memory.

Both start with a UTF-8 byte order mark: without it, spreadsheets open a CSV in the system's legacy encoding and
turn Chinese names into mojibake. The gradebook follows teaching.progress's rule (the best on-time score), and
says so in its last column's header.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext as _

from attempts.models import Attempt
from grading.spec import grading_spec
from teaching.access import instructor_required, taught_class
from teaching.progress import class_progress

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula


def cell_text(value) -> object:
    """A value as a spreadsheet should read it: text that would start a formula (a name such as "=HYPERLINK(...)")
    is kept as text by a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


class _Line:
    """A file for csv.writer that hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        yield BOM
        for row in rows:
            yield writer.writerow([cell_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def gradebook_rows(classroom) -> Iterator[list]:
    progress = class_progress(classroom)
    slugs = [exercise.slug for exercise in progress.exercises]
    yield [_("username"), _("name"), *slugs, _("total"), _("maximum"), _("late"),
           _("rule: the best on-time submission counts")]
    maximum = sum(max_score(exercise) for exercise in progress.exercises)
    for learner, cells, _passed in progress.rows("name"):
        scores = [cell.on_time_score for _exercise, cell in cells]
        late = [exercise.slug for exercise, cell in cells if cell.late_attempts]
        yield [learner.get_username(), learner.get_full_name(),
               *["" if score is None else score for score in scores],
               sum(score or 0 for score in scores), maximum, " ".join(late), ""]


def max_score(exercise) -> int:
    return sum(check.points for check in grading_spec(exercise.slug, exercise.definition).checks)


def attempt_rows(classroom) -> Iterator[list]:
    due = class_progress(classroom)
    yield [_("attempt"), _("username"), _("name"), _("exercise"), _("kind"), _("status"), _("passed"), _("score"),
           _("maximum"), _("submitted (UTC)"), _("late")]
    attempts = (Attempt.objects.filter(user__in=classroom.learners.all(), exercise__in=due.exercises)
                .exclude(kind=Attempt.Kind.PUBLISH).select_related("user", "exercise").order_by("created_at", "id"))
    for attempt in attempts.iterator(chunk_size=2000):
        due_at = due.cells[attempt.user_id, attempt.exercise_id].due_at
        late = due_at is not None and attempt.created_at > due_at
        yield [attempt.id, attempt.user.get_username(), attempt.user.get_full_name(), attempt.exercise.slug,
               attempt.kind, attempt.status, {True: "yes", False: "no"}.get(attempt.passed, ""),
               "" if attempt.score is None else attempt.score, "" if attempt.max_score is None else attempt.max_score,
               attempt.created_at.strftime("%Y-%m-%d %H:%M:%S"), "late" if late else ""]


@instructor_required
def gradebook_csv(request: HttpRequest, class_id: int) -> StreamingHttpResponse:
    classroom = taught_class(request, class_id)
    return csv_response(gradebook_rows(classroom), f"gradebook-class-{classroom.id}.csv")


@instructor_required
def attempts_csv(request: HttpRequest, class_id: int) -> StreamingHttpResponse:
    classroom = taught_class(request, class_id)
    return csv_response(attempt_rows(classroom), f"attempts-class-{classroom.id}.csv")

