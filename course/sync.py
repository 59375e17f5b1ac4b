"""Loading checked course content into the database, in one transaction: all of it or nothing."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.urls import reverse

from course.content import (
    LANGUAGES,
    ContentError,
    LessonSource,
    Links,
    RenderedPage,
    check_anchors,
    read_course,
    render_markdown,
    render_page,
)
from course.exercises import starter_text
from course.models import Exercise, Lesson, LessonPage


@dataclass(frozen=True)
class SyncReport:
    lessons: int
    exercises: int
    removed_lessons: list[str]
    retired_exercises: list[str]


def _links(sources: list[LessonSource], lesson: LessonSource) -> Links:
    slugs = {source.name: source.slug for source in sources}
    return Links(
        lesson_url=lambda folder: reverse("lesson", args=[slugs[folder]]),
        exercise_url=lambda slug: reverse("exercise", args=[slug]),
        image_url=lambda name: reverse("lesson-image", args=[lesson.slug, name]),
    )


def render_course(sources: list[LessonSource]) -> dict[tuple[str, str], RenderedPage]:
    pages = {
        (source.name, language): render_page(source, language, _links(sources, source))
        for source in sources
        for language in LANGUAGES
    }
    problems = [problem for source in sources for language in LANGUAGES
                for problem in check_anchors(source, language, pages)]
    if problems:
        raise ContentError(problems)
    return pages


@transaction.atomic
def sync_course(root: Path) -> SyncReport:
    """Validate and load every lesson under `root`; remove lessons that are gone. Raises ContentError."""
    sources = read_course(root)
    pages = render_course(sources)
    for source in sources:
        _store_lesson(source, pages, _links(sources, source))
    removed = list(Lesson.objects.exclude(folder__in=[s.name for s in sources]).values_list("folder", flat=True))
    Lesson.objects.filter(folder__in=removed).delete()
    retired = _retire_missing_exercises({e.slug for s in sources for e in s.exercises})
    return SyncReport(len(sources), sum(len(s.exercises) for s in sources), removed, retired)


def _store_lesson(source: LessonSource, pages: dict[tuple[str, str], RenderedPage], links: Links) -> None:
    # A lesson whose slug moved to another folder keeps its row (and its learners' progress).
    Lesson.objects.filter(slug=source.slug).exclude(folder=source.name).update(folder=source.name)
    lesson, _ = Lesson.objects.update_or_create(
        folder=source.name,
        defaults={"slug": source.slug, "order": source.order, "title": source.title, "summary": source.summary},
    )
    for language in LANGUAGES:
        page = pages[(source.name, language)]
        LessonPage.objects.update_or_create(
            lesson=lesson, language=language, defaults={"html": page.html, "toc": page.toc}
        )
    for source_exercise in source.exercises:
        exercise = source_exercise.exercise
        definition = exercise.definition
        Exercise.objects.update_or_create(
            slug=exercise.slug,
            defaults={
                "lesson": lesson,
                "order": source_exercise.order,
                "title": definition["title"],
                "summary": definition["summary"],
                "instructions": {language: render_markdown(definition["instructions"][language], links)[0]
                                 for language in LANGUAGES},
                "starter": starter_text(exercise.starter),
                "translated_starters": {language: starter_text(files)
                                        for language, files in exercise.translated_starters.items()},
                "starter_executable": sorted(exercise.starter_executable),
                "definition": definition,
            },
        )


def _retire_missing_exercises(present: set[str]) -> list[str]:
    """Exercises whose files are gone: deleted when nobody tried them, otherwise kept without a lesson."""
    gone = Exercise.objects.exclude(slug__in=present)
    retired = list(gone.values_list("slug", flat=True))
    gone.filter(attempts__isnull=True).delete()
    gone.update(lesson=None)
    return retired
