"""Classes: who teaches them, who learns in them, how learners join, and the deadlines they set.

A class reads the learners' attempts; it never stores a result of its own, so what the dashboard shows is always
what the attempts say.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

INVITE_CODE_BYTES = 6  # 8 URL-safe characters: short enough to read out in a room, too many to guess


def new_invite_code() -> str:
    return secrets.token_urlsafe(INVITE_CODE_BYTES)


class ClassroomQuerySet(models.QuerySet):
    def taught_by(self, user) -> ClassroomQuerySet:
        """The classes `user` teaches: the only ones an instructor may see."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(instructors=user)


class Classroom(models.Model):
    name = models.CharField(max_length=200)
    instructors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="classes_taught")
    learners = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Enrollment", related_name="classes_joined")
    invite_code = models.CharField(max_length=20, unique=True, default=new_invite_code)
    invite_expires_at = models.DateTimeField(null=True, blank=True)  # none: the invitation never expires
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClassroomQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        permissions = [("teach", "Can create classes and teach them")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teaching-class", args=[self.id])

    @property
    def group(self) -> str:
        """The channel-layer group that carries the news of this class's attempts to its instructors."""
        return self.group_of(self.id)

    @staticmethod
    def group_of(classroom_id: int) -> str:
        return f"class.{classroom_id}"

    def invite_open(self, now: datetime | None = None) -> bool:
        return self.invite_expires_at is None or (now or timezone.now()) < self.invite_expires_at

    def rotate_invite(self, expires_at: datetime | None) -> None:
        """A new code (the old one stops working at once) with its expiry."""
        self.invite_code = new_invite_code()
        self.invite_expires_at = expires_at
        self.save(update_fields=["invite_code", "invite_expires_at"])


class Enrollment(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="enrollments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["classroom", "learner"], name="one_enrollment_per_class")]


class Deadline(models.Model):
    """When the exercises of a lesson, or one exercise, are due in a class. An exercise's own deadline wins over
    its lesson's."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="deadlines")
    lesson = models.ForeignKey("course.Lesson", on_delete=models.CASCADE, null=True, blank=True)
    exercise = models.ForeignKey("course.Exercise", on_delete=models.CASCADE, null=True, blank=True)
    due_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(lesson__isnull=True) ^ Q(exercise__isnull=True),
                                   name="deadline_of_a_lesson_or_an_exercise"),
            models.UniqueConstraint(fields=["classroom", "lesson"], name="one_deadline_per_lesson"),
            models.UniqueConstraint(fields=["classroom", "exercise"], name="one_deadline_per_exercise"),
        ]


class Extension(models.Model):
    """A later due date for one learner on one exercise of a class."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="extensions")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extensions")
    exercise = models.ForeignKey("course.Exercise", on_delete=models.CASCADE)
    due_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["classroom", "learner", "exercise"],
                                               name="one_extension_per_learner_and_exercise")]


def definition_version(definition: dict) -> str:
    """A short name for one version of an exercise's definition (its checks, bases and limits): what an attempt
    was graded against, since every attempt keeps the definition it was graded with."""
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:10]


class RegradeRun(models.Model):
    """The class's submissions to one exercise graded again against its current version, as regrade attempts
    through the queue. Nothing changes for the gradebook until an instructor applies the run; the original results
    stay as they were."""

    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="regrades")
    exercise = models.ForeignKey("course.Exercise", on_delete=models.CASCADE)
    version = models.CharField(max_length=20)  # definition_version of what the run grades against
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def get_absolute_url(self) -> str:
        return reverse("teaching-regrade-run", args=[self.classroom_id, self.id])
