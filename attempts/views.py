"""The attempts' HTTP side (docs/protocol.md): the editor's autosave, a learner's attempts at an exercise, and one
attempt with its files and events, for the history and for replay after a reload."""
import json

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from attempts import jobs
from attempts.health import health, healthy
from attempts.models import Attempt, Draft
from engine.messages import both


@login_required
@require_http_methods(["PUT"])
def save_draft(request: HttpRequest, slug: str) -> HttpResponse:
    """The editor's autosave. The same limits as a submission, so a draft can always be submitted."""
    exercise = get_object_or_404(jobs.exercises().visible(), slug=slug)
    try:
        body = json.loads(request.body or b"{}")
        files = jobs.check_files(body.get("files"))
        executable = jobs.check_executable(body.get("executable"), files)
    except (ValueError, AttributeError, RecursionError):  # not JSON, not an object, or nested too deeply
        return JsonResponse({"error": both(gettext_noop("The body must be JSON: {example}."),
                                           example='{"files": {...}}')}, status=400)
    except jobs.Refused as refused:
        return JsonResponse({"error": refused.message}, status=400)
    Draft.objects.update_or_create(user=request.user, exercise=exercise,
                                   defaults={"files": files, "executable": executable})
    return HttpResponse(status=204)


@login_required
@require_GET
def exercise_attempts(request: HttpRequest, slug: str) -> JsonResponse:
    exercise = get_object_or_404(jobs.exercises(), slug=slug)
    attempts = Attempt.objects.of(request.user).filter(exercise=exercise)[:100]
    return JsonResponse({"attempts": [_attempt_summary(attempt) for attempt in attempts]})


@login_required
@require_GET
def attempt_detail(request: HttpRequest, attempt_id: int) -> JsonResponse:
    attempt = get_object_or_404(Attempt.objects.select_related("exercise"), id=attempt_id, user=request.user)
    return JsonResponse({
        **_attempt_summary(attempt),
        "exercise": attempt.exercise.slug,
        "files": attempt.files,
        "executable": attempt.executable,
        "events": jobs.events_after(attempt, 0),
    })


def _attempt_summary(attempt: Attempt) -> dict:
    return {
        "id": attempt.id, "number": attempt.number, "kind": attempt.kind, "status": attempt.status,
        "passed": attempt.passed,
        "score": attempt.score, "max_score": attempt.max_score, "created_at": attempt.created_at.isoformat(),
        "outcome": attempt.outcome_kind or None,
    }


@staff_member_required
@require_GET
def sandbox_health(request: HttpRequest) -> JsonResponse:
    """The health report for monitoring: 503 when the database, Redis or an engine does not answer."""
    report = health()
    return JsonResponse(report, status=200 if healthy(report) else 503)


@staff_member_required
@require_GET
def sandbox_health_page(request: HttpRequest) -> HttpResponse:
    report = health()
    return render(request, "attempts/health.html", {"report": report, "healthy": healthy(report)})
