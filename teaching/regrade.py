"""Regrading with a preview. When `sync_course` loads a new version of an exercise, the class's submissions graded
against an older one can be graded again. Checks judge what the engine reports of the built image, and none of
that is stored, so the preview is itself a run: each submission is queued again as a regrade attempt (after any
learner's own attempts), and the run's page lists which verdicts and scores would change. Nothing counts until an
instructor applies the run; the original results stay as they were, and every result keeps the definition it was
graded against (`definition_version` names it)."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attempts import jobs
from attempts.models import Attempt
from course.models import Exercise
from teaching.access import instructor_required, taught_class
from teaching.models import Classroom, RegradeRun, definition_version

REGRADE_LIMIT = 2000  # submissions one run regrades at most


def outdated_submissions(classroom: Classroom, exercise: Exercise) -> list[Attempt]:
    """The class's graded submissions to `exercise` graded against another version than its current one."""
    current = definition_version(exercise.definition)
    submissions = (Attempt.objects.graded().filter(user__in=classroom.learners.all(), exercise=exercise)
                   .select_related("user", "exercise").order_by("id"))
    return [attempt for attempt in submissions if definition_version(attempt.graded_definition) != current]


def start_run(classroom: Classroom, exercise: Exercise, instructor) -> RegradeRun:
    run = RegradeRun.objects.create(classroom=classroom, exercise=exercise, created_by=instructor,
                                    version=definition_version(exercise.definition))
    for attempt in outdated_submissions(classroom, exercise)[:REGRADE_LIMIT]:
        try:
            jobs.submit(attempt.user, exercise, Attempt.Kind.REGRADE, attempt.files,
                        target={"source": attempt.id, "regrade": run.id}, executable=attempt.executable)
        except jobs.Refused:  # files the editor's limits refuse today: left as they were graded
            continue
    return run


@dataclass(frozen=True)
class Regraded:
    original: Attempt
    again: Attempt

    @property
    def ended(self) -> bool:
        return self.again.status not in Attempt.ACTIVE_STATUSES

    @property
    def changes(self) -> bool:
        return self.ended and (self.original.passed, self.original.score) != (self.again.passed, self.again.score)

    @property
    def original_version(self) -> str:
        return definition_version(self.original.graded_definition)


def run_results(run: RegradeRun) -> list[Regraded]:
    again = list(Attempt.objects.filter(kind=Attempt.Kind.REGRADE, target__regrade=run.id).order_by("id"))
    originals = Attempt.objects.select_related("user", "exercise").in_bulk([a.target["source"] for a in again])
    return [Regraded(originals[attempt.target["source"]], attempt) for attempt in again]


def applied_results(classroom: Classroom) -> dict[int, tuple[bool, int | None, int | None]]:
    """(passed, score, max score) that applied regrades give the submissions of the class, by submission id; the
    latest regrade of a submission wins. A regrade the infrastructure failed changes nothing."""
    runs = list(RegradeRun.objects.filter(classroom=classroom, applied_at__isnull=False).values_list("id", flat=True))
    if not runs:
        return {}
    rows = (Attempt.objects.filter(kind=Attempt.Kind.REGRADE, status=Attempt.Status.FINISHED, target__regrade__in=runs)
            .order_by("id").values_list("target", "passed", "score", "max_score"))
    return {target["source"]: (bool(passed), score, max_score) for target, passed, score, max_score in rows}


@instructor_required
@require_http_methods(["GET", "POST"])
def regrade(request: HttpRequest, class_id: int, slug: str) -> HttpResponse:
    classroom = taught_class(request, class_id)
    exercise = get_object_or_404(Exercise, slug=slug)
    if request.method == "POST":
        return redirect(start_run(classroom, exercise, request.user))
    return render(request, "teaching/regrade.html", {
        "classroom": classroom, "exercise": exercise, "outdated": outdated_submissions(classroom, exercise),
        "version": definition_version(exercise.definition), "limit": REGRADE_LIMIT,
        "runs": RegradeRun.objects.filter(classroom=classroom, exercise=exercise)})


@instructor_required
def regrade_run(request: HttpRequest, class_id: int, run_id: int) -> HttpResponse:
    classroom = taught_class(request, class_id)
    run = get_object_or_404(RegradeRun.objects.select_related("exercise"), id=run_id, classroom=classroom)
    results = run_results(run)
    ended = sum(result.ended for result in results)
    return render(request, "teaching/regrade_run.html", {
        "classroom": classroom, "run": run, "results": sorted(results, key=lambda r: (not r.changes, r.again.id)),
        "ended": ended, "total": len(results), "changed": sum(result.changes for result in results),
        "running": ended < len(results)})


@instructor_required
@require_POST
def apply_regrade(request: HttpRequest, class_id: int, run_id: int) -> HttpResponse:
    classroom = taught_class(request, class_id)
    run = get_object_or_404(RegradeRun, id=run_id, classroom=classroom)
    if all(result.ended for result in run_results(run)):
        RegradeRun.objects.filter(id=run.id, applied_at__isnull=True).update(applied_at=timezone.now())
        messages.success(request, _("The regrade is applied: the gradebook counts its results."))
    else:
        messages.error(request, _("The regrade is still running: apply it once every attempt has ended."))
    return redirect(run)
