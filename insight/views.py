"""Insight over HTTP (docs/insight.md): an image explained, its union filesystem filtered by path, a file of one
of its layers, the comparison with the reference, and the attempt page that shows them. A learner sees their own
attempts' images and the course base images, nobody else's."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language, gettext_noop
from django.views.decorators.http import require_GET

from attempts.models import Attempt
from engine.engine import Engine, EngineUnavailable
from engine.messages import both, content_language
from insight.compare import compare
from insight.explain import explain
from insight.images import COURSE_BASES, NotExplorable, attempt_image, reference_image, registry_image
from insight.layers import explore
from insight.store import saved_image

UNION_ENTRIES = 500  # entries of the union view sent at most; a path filter narrows them
FILE_BYTES = 64 * 1024  # of a file's content shown at most
BUSY_SECONDS = 300  # the longest one learner's exploration holds their turn, should its request never end


class Busy(Exception):
    """The learner is already exploring an image: each exploration may rebuild and read one, one at a time."""


@contextmanager
def _one_at_a_time(user) -> Iterator[None]:
    key = f"insight.exploring.{user.pk}"
    if not cache.add(key, True, timeout=BUSY_SECONDS):
        raise Busy
    try:
        yield
    finally:
        cache.delete(key)


def _image_of(request: HttpRequest, engine: Engine, source: str,
              key: str) -> tuple[AbstractContextManager[str], str | None]:
    """What names the image (a context manager yielding its tag) and the Dockerfile that built it, if known."""
    if source == "bases":
        if key not in COURSE_BASES:
            raise Http404
        return nullcontext(key), None
    if source == "registry":  # the learner's own namespace: the URL names no one else's
        repository, _, tag = key.rpartition(":")
        return registry_image(engine, request.user.get_username(), repository, tag), None
    attempt = get_object_or_404(Attempt.objects.select_related("exercise"), id=key, user=request.user)
    return attempt_image(engine, attempt), attempt.files.get("Dockerfile")


def _engine() -> Engine:
    return Engine.from_settings()


def _answer(request: HttpRequest, source: str, key: str, read: Callable[[Engine, str, str | None], dict]):
    def work() -> dict:
        engine = _engine()
        image, dockerfile = _image_of(request, engine, source, key)
        with image as tag:
            return read(engine, tag, dockerfile)
    return _answering(request, work)


def _answering(request: HttpRequest, work: Callable[[], dict]) -> JsonResponse:
    answer, refusal = _attempted(request, work)
    if refusal is not None:
        error, status = refusal
        return JsonResponse({"error": error}, status=status)
    return JsonResponse(answer)


def _attempted(request: HttpRequest, work: Callable[[], dict]) -> tuple[dict | None, tuple[dict, int] | None]:
    """`work`'s answer, or the plain reason there is none and its HTTP status."""
    try:
        with _one_at_a_time(request.user):
            return work(), None
    except Busy:
        return None, (both(gettext_noop("You are exploring an image already; wait for it.")), 429)
    except NotExplorable:
        return None, (both(gettext_noop("This attempt made no image to explore.")), 404)
    except EngineUnavailable:
        return None, (both(gettext_noop("The sandbox is not available; try again in a minute.")), 503)


@login_required
@require_GET
def image_explained(request: HttpRequest, source: str, key: str) -> JsonResponse:
    """The layer table, the waste and the effective command; `?args=` (repeatable) and `?entrypoint=` as for
    `docker run`."""
    args = request.GET.getlist("args")
    entrypoint = request.GET.get("entrypoint")
    return _answer(request, source, key, lambda engine, tag, dockerfile: explain(
        engine, tag, dockerfile=dockerfile, run_args=args, entrypoint=entrypoint).as_dict())


@login_required
@require_GET
def union_view(request: HttpRequest, source: str, key: str) -> JsonResponse:
    """The merged filesystem: each entry with the layer it comes from and the lower entries it hides."""
    needle = request.GET.get("path", "").strip("/")

    def read(engine: Engine, tag: str, dockerfile: str | None) -> dict:
        union = explore(saved_image(engine, tag)).union
        matching = [entry for path, entry in sorted(union.items()) if needle in path]
        return {"entries": [{"path": e.path, "kind": e.kind, "size": e.size, "layer": e.layer,
                             "hides": [{"layer": layer, "size": size} for layer, size in e.hides]}
                            for e in matching[:UNION_ENTRIES]],
                "matching": len(matching), "truncated": len(matching) > UNION_ENTRIES}
    return _answer(request, source, key, read)


@login_required
@require_GET
def layer_file(request: HttpRequest, source: str, key: str) -> JsonResponse:
    """A file as layer `?layer=` (its index in the layer table) records it: text up to FILE_BYTES, or binary."""
    path = request.GET.get("path", "").strip("/")
    try:
        layer = int(request.GET.get("layer", ""))
    except ValueError:
        raise Http404 from None

    def read(engine: Engine, tag: str, dockerfile: str | None) -> dict:
        layers = explore(saved_image(engine, tag)).layers
        diff_id = layers[layer].diff_id if 0 <= layer < len(layers) else None
        found = engine.read_layer_file(tag, diff_id, path, FILE_BYTES) if diff_id and path else None
        if found is None:
            raise Http404
        content, size = found
        text = _text(content)
        return {"path": path, "layer": layer, "size": size, "binary": text is None, "text": text,
                "truncated": size > len(content)}
    return _answer(request, source, key, read)


@login_required
@require_GET
def attempt_page(request: HttpRequest, key: str):
    """One of the learner's attempts, seen from inside: why its cache missed, its layers, waste, command, files."""
    attempt = get_object_or_404(Attempt.objects.select_related("exercise"), id=key, user=request.user)
    language = content_language(get_language() or "en")
    path = request.GET.get("path", "").strip("/")
    context = {"attempt": attempt, "path": path,
               "misses": [_localized(miss, language) for miss in
                          attempt.events.filter(data__type="cache_miss").values_list("data", flat=True)]}

    def work() -> dict:
        engine = _engine()
        with attempt_image(engine, attempt) as tag:
            explanation = explain(engine, tag, dockerfile=attempt.files.get("Dockerfile"))
        report = explanation.as_dict()
        union = explanation.exploration.union
        matching = [entry for name, entry in sorted(union.items()) if path in name] if path else []
        return {"report": report, "efficiency": round(100 * report["efficiency"], 1),
                "argv": json.dumps(report["argv"]), "union": matching[:UNION_ENTRIES]}
    answer, refusal = _attempted(request, work)
    if refusal is not None:
        context["unavailable"] = refusal[0][language]
    else:
        context.update(answer)
    return render(request, "insight/attempt.html", context)


def _localized(miss: dict, language: str) -> dict:
    return {**miss, "text": (miss.get("message") or {}).get(language, ""),
            "hint": (miss.get("hint") or {}).get(language, "")}


def _text(content: bytes) -> str | None:
    if b"\0" in content:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as cut:  # a character cut at the size cap is still text
        return content[:cut.start].decode("utf-8") if cut.start >= len(content) - 3 else None


@login_required
@require_GET
def compared_with_reference(request: HttpRequest, key: str) -> JsonResponse:
    """One of the learner's attempts beside the exercise's reference solution."""
    attempt = get_object_or_404(Attempt.objects.select_related("exercise"), id=key, user=request.user)
    engine = _engine()

    def work() -> dict:
        with attempt_image(engine, attempt) as mine, reference_image(engine, attempt) as reference:
            return compare(explain(engine, mine, dockerfile=attempt.files.get("Dockerfile")),
                           explain(engine, reference))
    return _answering(request, work)
