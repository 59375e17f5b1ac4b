from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sandbox.status import engine_status


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "course/home.html", {"engine": engine_status()})


@require_GET
def sandbox_status(request: HttpRequest) -> JsonResponse:
    """For pages and monitors: is the build server up? Says so plainly instead of failing."""
    status = engine_status()
    body = {"available": status.available, "version": status.version}
    return JsonResponse(body, status=200 if status.available else 503)
