"""The images a learner may explore: a course base image (anyone logged in), an image of their own namespace in
the course registry (pulled with their rights alone, so no one else's), or the image of one of their own attempts,
built again from the attempt's files, and beside it the exercise's reference solution. The build cache makes that
rebuild take the layers the attempt made (a fully cached build takes a fraction of a second); every tag made here
is dropped as soon as the image has been read, so nothing outlives the request but the cache, which the sweep
prunes as it always does."""
from __future__ import annotations

import secrets
from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager, contextmanager

from django.conf import settings

from attempts.models import Attempt
from course.exercises import find_exercise_folder, load_exercise
from engine.engine import Engine
from engine.images import RECIPES
from engine.outcomes import OutcomeKind
from engine.references import RELATIVE_REPOSITORY, TAG
from grading.spec import grading_spec
from registry.registry import LearnerRegistry

COURSE_BASES = tuple(recipe.name for recipe in RECIPES)


class NotExplorable(Exception):
    """The attempt made no image (its build failed or was refused) or the engine cannot build it now."""


def attempt_image(engine: Engine, attempt: Attempt) -> AbstractContextManager[str]:
    """The attempt's image, tagged for as long as the block runs."""
    if attempt.kind == Attempt.Kind.PUBLISH or attempt.outcome_kind in ("", OutcomeKind.REJECTED,
                                                                          OutcomeKind.BUILD_ERROR):
        raise NotExplorable(attempt.outcome_kind)
    files = {path: text.encode() for path, text in attempt.files.items()}
    return _built(engine, attempt, files, attempt.executable, f"{attempt.sandbox_id}-insight")


def reference_image(engine: Engine, attempt: Attempt) -> AbstractContextManager[str]:
    """The image of the reference solution of the attempt's exercise, tagged for as long as the block runs."""
    folder = find_exercise_folder(settings.COURSE_CONTENT_DIR, attempt.exercise.slug)
    solution = load_exercise(folder).solution
    return _built(engine, attempt, solution.files, solution.executable, f"{attempt.sandbox_id}-reference")


@contextmanager
def _built(engine: Engine, attempt: Attempt, files: dict[str, bytes], executable: Collection[str],
           tag: str) -> Iterator[str]:
    spec = grading_spec(attempt.exercise.slug, attempt.graded_definition)
    build = list(engine.build(files, allowed_bases=spec.bases, executable=executable, attempt_id=tag,
                              limits=spec.limits_on(engine)))[-1]
    if not build.outcome.ok:
        raise NotExplorable(build.outcome.kind)
    try:
        yield build.image
    finally:
        engine.discard(build)


@contextmanager
def registry_image(engine: Engine, namespace: str, repository: str, tag: str) -> Iterator[str]:
    """`<namespace>/<repository>:<tag>` pulled from the course registry with the rights of that namespace's owner,
    tagged like an attempt's image for as long as the block runs."""
    if not RELATIVE_REPOSITORY.match(repository) or not TAG.match(tag):
        raise NotExplorable(repository)
    learner = LearnerRegistry(namespace)
    pulled = list(engine.pull(learner.reference(repository, tag), credentials=learner.credentials(),
                              attempt_id=f"insight-{secrets.token_hex(6)}"))[-1]
    if not pulled.outcome.ok:
        raise NotExplorable(pulled.outcome.kind)
    try:
        yield pulled.image
    finally:
        engine.untag(pulled.image)
