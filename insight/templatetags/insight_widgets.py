"""Live widgets in lessons: a marker line `[[insight: <view>]]` in a lesson's Markdown (rendered by the course's
pipeline as a paragraph of its own) becomes a look at the reader's latest image, or at a course example image when
they have none. `{{ page.html|insight_widgets:request.user }}` in the lesson template does it."""
from __future__ import annotations

import re

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from attempts.models import Attempt
from engine.engine import Engine, EngineUnavailable
from engine.outcomes import OutcomeKind
from insight.explain import explain

register = template.Library()

MARKER = re.compile(r"<p>\[\[insight: (layers|waste|cache|command)\]\]</p>")
EXAMPLE_IMAGE = "layerlab/busybox"  # always on the engine, and small enough to read on a page view
SECTIONS = {"layers": "layers", "waste": "waste", "cache": "cache-miss", "command": "command"}


@register.filter
def insight_widgets(html: str, user) -> SafeString:
    if not MARKER.search(html):
        return mark_safe(html)  # noqa: S308 - the course's own sanitised HTML, stored by sync_course
    latest = _latest_attempt(user)
    example = None if latest else _example()
    return mark_safe(MARKER.sub(  # noqa: S308 - as above, with widgets rendered by a template that escapes
        lambda match: render_to_string("insight/widget.html", {
            "view": match[1], "section": SECTIONS[match[1]], "latest": latest, "example": example,
            "example_image": EXAMPLE_IMAGE}), html))


def _latest_attempt(user) -> Attempt | None:
    if not user.is_authenticated:
        return None
    return (Attempt.objects.of(user).select_related("exercise")
            .filter(kind__in=[Attempt.Kind.TRY, Attempt.Kind.SUBMIT], status=Attempt.Status.FINISHED)
            .exclude(outcome_kind__in=[OutcomeKind.REJECTED, OutcomeKind.BUILD_ERROR]).order_by("-id").first())


def _example() -> dict | None:
    try:
        return explain(Engine.from_settings(), EXAMPLE_IMAGE, run_args=None).as_dict()
    except EngineUnavailable:
        return None
