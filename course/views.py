from pathlib import Path

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from course.models import Exercise, Lesson
from course.progress import progress_for
from sandbox.status import engine_status

IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


@require_GET
def course_index(request: HttpRequest) -> HttpResponse:
    lessons = list(Lesson.objects.in_order().prefetch_related("exercises"))
    progress = progress_for(request.user, [e for lesson in lessons for e in lesson.exercises.all()])
    rows = [(lesson, [(e, progress[e.id]) for e in lesson.exercises.all()]) for lesson in lessons]
    return render(request, "course/index.html", {"rows": rows, "engine": engine_status()})


@require_GET
def lesson_detail(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(Lesson, slug=slug)
    exercises = list(lesson.exercises.all())
    progress = progress_for(request.user, exercises)
    ordered = list(Lesson.objects.in_order().only("slug", "order", "title"))
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
def exercise_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(Exercise, slug=slug, lesson__isnull=False)
    progress = progress_for(request.user, [exercise])[exercise.id]
    return render(request, "course/exercise.html", {
        "exercise": exercise, "progress": progress, "engine": engine_status(),
    })


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("course")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.save())
        return redirect("course")
    return render(request, "registration/sign_up.html", {"form": form})


@require_GET
def sandbox_status(request: HttpRequest) -> JsonResponse:
    """For pages and monitors: is the build server up? Says so plainly instead of failing."""
    status = engine_status()
    body = {"available": status.available, "version": status.version}
    return JsonResponse(body, status=200 if status.available else 503)
