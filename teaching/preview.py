"""Authoring preview: an instructor loads any variant of an exercise (its solution, an alternative, a wrong variant
or a cheat) into their own editor and runs it on the exercise page, through the same live path as a learner."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from attempts.models import Draft
from course.models import Exercise
from teaching.access import instructor_required
from teaching.variants import variant_files, variant_names


@instructor_required
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    exercise = get_object_or_404(Exercise.objects.visible(), slug=slug)
    if request.method == "POST":
        kind, name = request.POST.get("kind", ""), request.POST.get("name", "")
        files = variant_files(slug, kind, name)
        if files is None:
            raise Http404
        # The instructor's draft is what the exercise page opens with: the variant replaces it.
        Draft.objects.update_or_create(user=request.user, exercise=exercise, defaults={"files": files})
        messages.success(request, _("The editor holds {variant} now: Build & Run or Submit it to see which checks "
                                    "pass.").format(variant=f"{kind}/{name}" if name else kind))
        return redirect(exercise)
    return render(request, "teaching/preview.html", {"exercise": exercise, "variants": variant_names(slug),
                                                     "exercises": Exercise.objects.visible()})
