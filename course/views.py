from pathlib import Path

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from attempts.models import Attempt, Draft
from attempts.routing import SANDBOX_SOCKET_PATH
from course import sign_ups
from course.exercise_page import page_strings, whole_text_pattern
from course.exercises import image_name
from course.forms import SignUpForm
from course.models import Exercise, Lesson
from course.progress import progress_for
from engine.limits import EDITOR_LIMITS
from engine.outcomes import content_language
from engine.references import MAX_NAME_LENGTH, RELATIVE_REPOSITORY, TAG
from engine.status import engine_status
from grading.spec import grading_spec
from registry.publishing import MAX_TAGS

IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


@require_GET
def course_index(request: HttpRequest) -> HttpResponse:
    lessons = list(Lesson.objects.prefetch_related("exercises"))
    progress = progress_for(request.user, [e for lesson in lessons for e in lesson.exercises.all()])
    rows = [(lesson, [(e, progress[e.id]) for e in lesson.exercises.all()]) for lesson in lessons]
    return render(request, "course/index.html", {"rows": rows, "engine": engine_status()})


@require_GET
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(Lesson, slug=slug)
    exercises = list(lesson.exercises.all())
    progress = progress_for(request.user, exercises)
    ordered = list(Lesson.objects.only("slug", "order", "title"))
    position = [other.id for other in ordered].index(lesson.id)
    return render(request, "course/lesson.html", {
        "lesson": lesson,
        "page": lesson.page(),
        "exercises": [(exercise, progress[exercise.id]) for exercise in exercises],
        "previous": ordered[position - 1] if position > 0 else None,
        "next": ordered[position + 1] if position + 1 < len(ordered) else None,
    })


@require_GET
def lesson_image(request: HttpRequest, slug: str, name: str) -> FileResponse:
    """A diagram of a lesson, straight from its images/ folder."""
    lesson = get_object_or_404(Lesson, slug=slug)
    path = Path(settings.COURSE_CONTENT_DIR) / lesson.folder / "images" / name
    if "/" in name or name.startswith(".") or path.suffix not in IMAGE_TYPES or not path.is_file():
        raise Http404("no such image")
    response = FileResponse(path.open("rb"), content_type=IMAGE_TYPES[path.suffix])
    # An SVG opened on its own must not run anything it might contain.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_GET
# The editor (CodeMirror) and the terminal (xterm.js) add <style> elements as they draw, and xterm.js cannot give
# them a nonce: this page alone allows inline styles. Scripts stay as strict as everywhere.
@csp_update({"style-src": [UNSAFE_INLINE]})
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(Exercise.objects.visible().select_related("lesson"), slug=slug)
    progress = progress_for(request.user, [exercise])[exercise.id]
    draft = Draft.objects.filter(user=request.user, exercise=exercise).first()
    active = Attempt.objects.of(request.user).active().filter(exercise=exercise).values("id", "number").first()
    starter = exercise.localized_starter()
    page_data = {
        "exercise": exercise.slug,
        "language": content_language(request.LANGUAGE_CODE),
        "files": draft.files if draft else starter,
        "executable": draft.executable if draft else exercise.starter_executable,
        "starter": starter,
        "starter_executable": exercise.starter_executable,
        "rules": _page_rules(),
        "urls": {
            "ws": f"/{SANDBOX_SOCKET_PATH}",
            "draft": reverse("exercise-draft", args=[exercise.slug]),
            "attempts": reverse("exercise-attempts", args=[exercise.slug]),
            "attempt": reverse("attempt", args=[0]),
            "insight": reverse("insight-attempt-page", args=[0]),
            "login": reverse("login"),
        },
        "active_attempt": active,
        "last_attempt": _last_ended_attempt(request.user, exercise),
        "publish": _publish_data(request, exercise),
    }
    return render(request, "course/exercise.html", {
        "exercise": exercise, "progress": progress, "engine": engine_status(), "page_data": page_data,
        "next_exercise": _next_exercise(exercise),
        "publish": page_data["publish"], "page_strings": page_strings(),
    })


def _last_ended_attempt(user, exercise: Exercise) -> int | None:
    """The learner's latest try or submit of the exercise that has ended: what the page shows on a return visit,
    so that a passed exercise says so instead of "nothing has run yet"."""
    ended = Attempt.objects.of(user).filter(exercise=exercise, kind__in=[Attempt.Kind.TRY, Attempt.Kind.SUBMIT])
    return ended.exclude(status__in=Attempt.ACTIVE_STATUSES).order_by("-id").values_list("id", flat=True).first()


def _next_exercise(exercise: Exercise) -> Exercise | None:
    """The exercise after this one in the course's order, where a learner who passed it goes on."""
    ordered = list(Exercise.objects.visible().select_related("lesson").only("slug", "title", "lesson__order",
                                                                             "order"))
    position = [other.id for other in ordered].index(exercise.id)
    return ordered[position + 1] if position + 1 < len(ordered) else None


def _page_rules() -> dict:
    """Every limit and name rule the page checks before it sends anything, taken from where the server keeps it,
    so that the page never states one of its own: the editor's limits, file names, and the names a publish goes
    under (Docker's reference grammar)."""
    return {
        "files": EDITOR_LIMITS.as_dict(),
        "publish": {
            "repository": whole_text_pattern(RELATIVE_REPOSITORY), "tag": whole_text_pattern(TAG),
            "max_name_length": MAX_NAME_LENGTH, "max_tags": MAX_TAGS,
        },
    }


def _publish_data(request: HttpRequest, exercise: Exercise) -> dict:
    """What the Publish panel needs: where images go, and what to fill in first. The defaults are the image the
    exercise is graded from (`published: hello:1.0`), else the exercise's slug and `latest`."""
    published = image_name(exercise.definition["published"]) if exercise.definition.get("published") else None
    repository, tag = published or (exercise.slug, "latest")
    return {
        # Only exercises graded from the course registry are about publishing; the others offer no panel.
        "enabled": grading_spec(exercise.slug, exercise.definition).uses_registry,
        "registry": settings.REGISTRY_HOST,
        "username": request.user.get_username(),
        "repository": repository,
        "tags": tag,
        "profile_url": reverse("profile"),
    }


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("course")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and not sign_ups.allowed(request):
        return render(request, "registration/sign_up.html", {"form": form, "too_many": True}, status=429)
    if request.method == "POST" and form.is_valid() and (user := form.create_user()) is not None:
        sign_ups.record(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("course")
    return render(request, "registration/sign_up.html", {"form": form})


@require_GET
def sandbox_status(request: HttpRequest) -> JsonResponse:
    """For pages and monitors: is the build server up? Says so plainly instead of failing."""
    status = engine_status()
    body = {"available": status.available, "version": status.version}
    return JsonResponse(body, status=200 if status.available else 503)
