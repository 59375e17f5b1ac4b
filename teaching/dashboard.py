"""What an instructor watches while a class works: the progress matrix with who is stuck and what is happening,
a learner's history, the attempts behind any number, and one attempt in full."""
from __future__ import annotations

import difflib
import hashlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from attempts.models import Attempt, AttemptEvent
from course.models import Lesson
from teaching.access import class_attempt, instructor_required, taught_class
from teaching.models import definition_version
from teaching.progress import DueDates, class_progress
from teaching.strings import dashboard_strings
from teaching.variants import reference_files

ATTEMPTS_SHOWN = 200  # of a list of attempts, newest first
FEED_LENGTH = 30  # attempts the activity feed starts with
# only what a line of the feed shows: sorting a class's attempts with their files and definitions cost most of the page
FEED_FIELDS = ("id", "number", "kind", "status", "passed", "created_at", "user__username", "exercise__slug")


@instructor_required
def matrix(request: HttpRequest, class_id: int) -> HttpResponse:
    classroom = taught_class(request, class_id)
    lesson_id = _whole_number(request.GET.get("lesson"))
    order = "progress" if request.GET.get("order") == "progress" else "name"
    progress = class_progress(classroom, lesson_id)
    feed = (Attempt.objects.filter(user__in=classroom.learners.all(), kind__in=[Attempt.Kind.TRY, Attempt.Kind.SUBMIT])
            .select_related("user", "exercise").only(*FEED_FIELDS)[:FEED_LENGTH])
    return render(request, "teaching/matrix.html", {
        "classroom": classroom, "progress": progress, "rows": progress.rows(order), "order": order,
        "lessons": Lesson.objects.all(), "lesson_id": lesson_id, "feed": feed,
        "page_data": {"ws": f"/ws/teaching/classes/{classroom.id}/",
                      "learner_url": reverse("teaching-learner", args=[classroom.id, 0]),
                      "attempt_url": reverse("teaching-attempt", args=[classroom.id, 0]),
                      "strings": dashboard_strings()},
    })


@instructor_required
def learner_history(request: HttpRequest, class_id: int, learner_id: int) -> HttpResponse:
    classroom = taught_class(request, class_id)
    learner = get_object_or_404(classroom.learners, id=learner_id)
    attempts = Attempt.objects.filter(user=learner).select_related("exercise")[:ATTEMPTS_SHOWN]
    return render(request, "teaching/learner.html", {"classroom": classroom, "learner": learner,
                                                     "attempts": attempts, "shown": ATTEMPTS_SHOWN})


def message_key(message: dict | str) -> str:
    """A short name for a failure message, the same in every language, for links that group attempts by it."""
    english = message.get("en", "") if isinstance(message, dict) else str(message)
    return hashlib.sha256(english.encode()).hexdigest()[:12]


@instructor_required
def attempt_list(request: HttpRequest, class_id: int) -> HttpResponse:
    """The attempts behind a number: filtered by exercise, learner, result, and a check (and message) that
    failed."""
    classroom = taught_class(request, class_id)
    attempts = Attempt.objects.graded().filter(user__in=classroom.learners.all()).select_related("user", "exercise")
    filters = {key: request.GET[key] for key in ("exercise", "learner", "result", "check", "message")
               if request.GET.get(key)}
    if "exercise" in filters:
        attempts = attempts.filter(exercise__slug=filters["exercise"])
    if (learner := _whole_number(filters.get("learner"))) is not None:
        attempts = attempts.filter(user_id=learner)
    if filters.get("result") in ("passed", "failed"):
        attempts = attempts.filter(passed=filters["result"] == "passed")
    if "check" in filters:
        attempts = attempts.filter(id__in=_failing(attempts, filters["check"], filters.get("message")))
    return render(request, "teaching/attempts.html", {
        "classroom": classroom, "attempts": attempts[:ATTEMPTS_SHOWN], "filters": filters, "shown": ATTEMPTS_SHOWN,
        "total": attempts.count()})


def _failing(attempts, check: str, message: str | None) -> list[int]:
    """The attempts among `attempts` in which `check` failed (with that message, if one is given)."""
    events = AttemptEvent.objects.filter(attempt__in=attempts, data__type="check", data__passed=False,
                                         data__id=check).values_list("attempt_id", "data__message")
    return [attempt_id for attempt_id, text in events if message is None or message_key(text) == message]


@instructor_required
def attempt_detail(request: HttpRequest, class_id: int, attempt_id: int) -> HttpResponse:
    classroom = taught_class(request, class_id)
    attempt = class_attempt(classroom, attempt_id)
    events = list(attempt.events.values_list("data", flat=True))
    previous = (Attempt.objects.filter(user=attempt.user, exercise=attempt.exercise, id__lt=attempt.id)
                .exclude(kind__in=[Attempt.Kind.PUBLISH, Attempt.Kind.REGRADE]).order_by("-id").first())
    reference = reference_files(attempt.exercise.slug)
    due_at = DueDates(classroom).of(attempt.user_id, attempt.exercise)
    return render(request, "teaching/attempt.html", {
        "due_at": due_at, "late": due_at is not None and attempt.created_at > due_at,
        "classroom": classroom, "attempt": attempt, "previous": previous,
        "version": definition_version(attempt.graded_definition),
        "log": [event for event in events if event["type"] in ("build_step", "log", "notice")],
        "checks": [event for event in events if event["type"] == "check"],
        "seconds": (attempt.finished_at - attempt.started_at).total_seconds()
        if attempt.finished_at and attempt.started_at else None,
        "diff_previous": file_diff(previous.files, attempt.files, f"#{previous.id}", f"#{attempt.id}")
        if previous else None,
        "diff_reference": file_diff(reference, attempt.files, "solution", f"#{attempt.id}")
        if reference is not None else None,
    })


def file_diff(old: dict[str, str], new: dict[str, str], old_name: str, new_name: str) -> list[tuple[str, str]]:
    """(kind, line) of a unified diff of two sets of files; kind is "add", "remove", "file" or "same"."""
    lines = []
    for path in sorted(set(old) | set(new)):
        diff = list(difflib.unified_diff(old.get(path, "").splitlines(), new.get(path, "").splitlines(),
                                         f"{old_name}/{path}", f"{new_name}/{path}", lineterm=""))
        for line in diff:
            kind = "file" if line.startswith(("---", "+++", "@@")) else \
                {"+": "add", "-": "remove"}.get(line[:1], "same")
            lines.append((kind, line))
    return lines


def _whole_number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 18 else None
