"""Lessons and exercises as loaded by `sync_course` from course/content/. The files are the source of truth."""
from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import translation

from engine.outcomes import content_language

DEFAULT_LANGUAGE = "en"


def in_language(values: dict[str, str], language: str | None = None) -> str:
    """Pick the text for `language` (default: the active one) from a {language: text} mapping."""
    return values.get(active_language(language)) or values.get(DEFAULT_LANGUAGE, "")


def active_language(language: str | None = None) -> str:
    """The content language ("en" or "zh-hans") of `language`, by default the active one."""
    return content_language(language or translation.get_language() or DEFAULT_LANGUAGE)


class Localized(models.Model):
    """Titles and summaries stored in both languages, shown in the active one."""

    title = models.JSONField()  # {"en": ..., "zh-hans": ...}
    summary = models.JSONField()

    class Meta:
        abstract = True

    def localized_title(self) -> str:
        return in_language(self.title)

    def localized_summary(self) -> str:
        return in_language(self.summary)


class Lesson(Localized):
    folder = models.CharField(max_length=100, unique=True)  # "01-image-layers": what `lesson:` links name
    slug = models.SlugField(max_length=100, unique=True)  # "image-layers": what URLs use
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.folder

    def get_absolute_url(self) -> str:
        return reverse("lesson", args=[self.slug])

    def page(self) -> LessonPage:
        return self.pages.get(language=active_language())


class LessonPage(models.Model):
    """A lesson in one language, rendered once from Markdown and sanitised."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="pages")
    language = models.CharField(max_length=10)
    html = models.TextField()
    toc = models.JSONField(default=list)  # [{"id": ..., "title": ..., "level": 2|3}]

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lesson", "language"], name="one_page_per_language")]


class ExerciseQuerySet(models.QuerySet):
    def visible(self) -> ExerciseQuerySet:
        """Exercises of a lesson; one whose files are gone is kept for its history but not offered."""
        return self.filter(lesson__isnull=False)


class Exercise(Localized):
    slug = models.SlugField(max_length=100, unique=True)
    # An exercise whose files are gone but that has attempts stays, without a lesson, so history is kept.
    lesson = models.ForeignKey(Lesson, on_delete=models.SET_NULL, null=True, related_name="exercises")
    order = models.PositiveIntegerField(default=0)
    instructions = models.JSONField(default=dict)  # {"en": html, "zh-hans": html}, rendered and sanitised
    starter = models.JSONField(default=dict)  # relative path -> text: what the editor starts from
    starter_executable = models.JSONField(default=list, blank=True)  # the starter files that are executable
    # {"zh-hans": {path: text}}: the starter with its comments in another language (starter.<language>/)
    translated_starters = models.JSONField(default=dict, blank=True)
    definition = models.JSONField(default=dict)  # exercise.yaml as validated: bases, limits, checks

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["lesson__order", "order"]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("exercise", args=[self.slug])

    def localized_instructions(self) -> str:
        return in_language(self.instructions)

    def localized_starter(self) -> dict[str, str]:
        """The starter files, their comments in the active language where the exercise translates them."""
        return self.translated_starters.get(active_language()) or self.starter
