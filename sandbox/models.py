"""Attempts: one row per Build & Run or Submit, written before any work starts (the durable record)."""
from django.conf import settings
from django.db import models


class AttemptQuerySet(models.QuerySet):
    def graded(self) -> "AttemptQuerySet":
        """Submissions that were graded. Failures of the infrastructure (engine down) do not count as attempts."""
        return self.filter(kind=Attempt.Kind.SUBMIT, status=Attempt.Status.FINISHED).exclude(
            outcome_kind="engine_unavailable"
        )

    def of(self, user) -> "AttemptQuerySet":
        return self.filter(user=user)


class Attempt(models.Model):
    class Kind(models.TextChoices):
        TRY = "try", "Build & Run"
        SUBMIT = "submit", "Submit"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        FINISHED = "finished"
        FAILED = "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    exercise = models.ForeignKey("course.Exercise", on_delete=models.PROTECT, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    files = models.JSONField(default=dict)  # relative path -> text of the submission
    outcome_kind = models.CharField(max_length=30, blank=True)
    passed = models.BooleanField(null=True)
    score = models.PositiveIntegerField(null=True)
    max_score = models.PositiveIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "exercise", "kind"])]
        ordering = ["-created_at"]
