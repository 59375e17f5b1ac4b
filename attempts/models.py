"""Attempts and their events: the durable record of every Build & Run and Submit.

An Attempt row is written (queued) before any work starts; a worker claims it atomically; every event it streams
is stored as an AttemptEvent with a sequence number, so a reload, a second tab or a restarted server replays exactly
what happened. A Draft keeps the editor's files between visits.
"""
from django.conf import settings
from django.db import models

from engine.outcomes import INFRASTRUCTURE_FAILURES


class AttemptQuerySet(models.QuerySet):
    def next_number(self, user, exercise) -> int:
        """The number of a learner's next attempt at an exercise. Read it in the transaction that creates the
        attempt, while no other submit runs (attempts.queue.serialized)."""
        last = self.filter(user=user, exercise=exercise).aggregate(last=models.Max("number"))["last"]
        return (last or 0) + 1

    def graded(self) -> "AttemptQuerySet":
        """Submissions that were graded. Failures of the infrastructure (engine down) do not count as attempts."""
        return self.filter(kind=Attempt.Kind.SUBMIT, status=Attempt.Status.FINISHED).exclude(
            outcome_kind__in=[kind.value for kind in INFRASTRUCTURE_FAILURES]
        )

    def of(self, user) -> "AttemptQuerySet":
        return self.filter(user=user)

    def active(self) -> "AttemptQuerySet":
        return self.filter(status__in=Attempt.ACTIVE_STATUSES)


class Attempt(models.Model):
    class Kind(models.TextChoices):
        TRY = "try", "Build & Run"
        SUBMIT = "submit", "Submit"
        PUBLISH = "publish", "Publish"
        REGRADE = "regrade", "Regrade"  # an instructor's: a submission graded again against a newer version

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        FINISHED = "finished"
        FAILED = "failed"  # the infrastructure failed it (engine down, server restarted twice)
        CANCELLED = "cancelled"

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)  # not ended yet: it may still be cancelled

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    exercise = models.ForeignKey("course.Exercise", on_delete=models.PROTECT, related_name="attempts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the learner calls it: their first attempt at the exercise is #1 (the id stays the key in URLs and frames).
    number = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    files = models.JSONField(default=dict)  # relative path -> text of the submission
    executable = models.JSONField(default=list, blank=True)  # the paths of `files` sent with the executable bit
    # The exercise's definition when it was submitted: what it is graded against, even if the course changes
    # meanwhile, and read by the workers without the course app. Empty for attempts from before it was kept.
    definition = models.JSONField(default=dict, blank=True)
    # A publish's destination: {"source": attempt id, "repository": "hello", "tags": ["1.0", "latest"]}
    target = models.JSONField(default=dict, blank=True)
    outcome_kind = models.CharField(max_length=30, blank=True)
    passed = models.BooleanField(null=True)
    score = models.PositiveIntegerField(null=True)
    max_score = models.PositiveIntegerField(null=True)
    worker = models.CharField(max_length=200, blank=True)  # "host:pid" of the process running it
    cancel_requested = models.BooleanField(default=False)
    restarts = models.PositiveSmallIntegerField(default=0)
    # The lease of the worker running it (attempts.leases): `claims` counts the times a worker took it, so a worker
    # whose lease was taken over can no longer write; `last_seq` numbers its events.
    claims = models.PositiveIntegerField(default=0)
    lease_expires_at = models.DateTimeField(null=True)
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    objects = AttemptQuerySet.as_manager()

    def save(self, *args, **kwargs) -> None:
        if not self.number:  # a new attempt: the learner's next (jobs.submit numbers it where no other submit runs)
            self.number = Attempt.objects.next_number(self.user, self.exercise)
        super().save(*args, **kwargs)

    @property
    def graded_definition(self) -> dict:
        """The definition this attempt is graded against: its snapshot, or the exercise's for an older attempt."""
        return self.definition or self.exercise.definition

    class Meta:
        db_table = "sandbox_attempt"  # the name from before the apps were split: existing databases keep theirs
        indexes = [
            models.Index(fields=["user", "exercise", "kind"]),
            models.Index(fields=["status", "id"]),
        ]
        # A learner's own attempts run one at a time; regrades are queued by instructors, many per learner.
        constraints = [models.UniqueConstraint(
            fields=["user"], condition=models.Q(status__in=("queued", "running")) & ~models.Q(kind="regrade"),
            name="one_active_attempt_per_learner")]
        ordering = ["-created_at"]

    @property
    def group(self) -> str:
        """The channel-layer group that carries this attempt's news."""
        return self.group_of(self.id)

    @staticmethod
    def group_of(attempt_id: int) -> str:
        return f"attempt.{attempt_id}"

    @property
    def sandbox_id(self) -> str:
        """What the sandbox names this attempt's images and containers after: a name per claim, so that a worker
        whose attempt was taken over never removes what the next one builds."""
        return f"a{self.id}-{self.claims}"


class AttemptEvent(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    data = models.JSONField()

    class Meta:
        db_table = "sandbox_attemptevent"
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["attempt", "seq"], name="one_event_per_seq")]


class Draft(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts")
    exercise = models.ForeignKey("course.Exercise", on_delete=models.CASCADE, related_name="drafts")
    files = models.JSONField(default=dict)
    executable = models.JSONField(default=list, blank=True)  # the paths of `files` marked executable
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sandbox_draft"
        constraints = [models.UniqueConstraint(fields=["user", "exercise"], name="one_draft_per_exercise")]


class Worker(models.Model):
    """A process that runs attempts (`host:pid`), and when it last said it was alive: for the health report."""

    name = models.CharField(max_length=200, unique=True)
    engine = models.CharField(max_length=300)  # the Docker host it builds on
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField()
