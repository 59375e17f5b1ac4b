"""What happened to a build or a run, in words a learner understands (English and Simplified Chinese).

One small set of outcome kinds covers every way a submission can end. Each carries the numbers its message needs
(the limit that was hit, the failing step and line), never a stack trace.
"""
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from engine.messages import Text, both, content_language
from engine.rules import SubmissionRejected


class OutcomeKind(StrEnum):
    OK = "ok"
    BUILD_ERROR = "build_error"
    RUN_ERROR = "run_error"
    REJECTED = "rejected"
    OUT_OF_MEMORY = "out_of_memory"
    TIME_LIMIT = "time_limit"
    PROCESS_LIMIT = "process_limit"
    OUTPUT_TRUNCATED = "output_truncated"
    DISK_LIMIT = "disk_limit"
    FILE_SIZE_LIMIT = "file_size_limit"
    DISK_FULL = "disk_full"  # the engine's own disk, not the learner's share of it
    ENGINE_UNAVAILABLE = "engine_unavailable"
    CANCELLED = "cancelled"
    NOT_PUBLISHED = "not_published"
    REGISTRY_DENIED = "registry_denied"
    REGISTRY_QUOTA = "registry_quota"
    REGISTRY_UNAVAILABLE = "registry_unavailable"
    INTERNAL_ERROR = "internal_error"  # a bug in the server: logged with the id its message gives


# Failures of the infrastructure (or of the server itself), not of the learner's work: such attempts are not counted
# against them.
INFRASTRUCTURE_FAILURES = frozenset({OutcomeKind.ENGINE_UNAVAILABLE, OutcomeKind.REGISTRY_UNAVAILABLE,
                                     OutcomeKind.DISK_FULL, OutcomeKind.INTERNAL_ERROR})


MESSAGES: dict[OutcomeKind, Promise] = {
    OutcomeKind.OK: _("Finished."),
    OutcomeKind.BUILD_ERROR: _("The build failed at step {step} (Dockerfile line {line}: {instruction}): {reason}"),
    OutcomeKind.RUN_ERROR: _("The container could not start: {reason}"),
    OutcomeKind.OUT_OF_MEMORY: _(
        "{phase} ran out of memory: it needed more than the {limit_mb} MB allowed and was stopped.",
    ),
    OutcomeKind.TIME_LIMIT: _(
        "{phase} took longer than the {limit_s} s allowed and was stopped. Look for a loop that never ends "
        "or a command waiting for input.",
    ),
    OutcomeKind.PROCESS_LIMIT: _("{phase} tried to start more than {limit} processes at once and was stopped."),
    OutcomeKind.OUTPUT_TRUNCATED: _(
        "{phase} printed more than the {limit_kb} KB or {limit_lines} lines of output allowed, so it was "
        "stopped: the first {kept_lines} lines ({kept_kb} KB) are kept, the rest was cut off.",
    ),
    OutcomeKind.DISK_LIMIT: _(
        "{phase} wrote more than {limit_mb} MB to disk and was stopped. Large files belong outside the image.",
    ),
    OutcomeKind.FILE_SIZE_LIMIT: _(
        "{phase} tried to write a file larger than the {limit_mb} MB allowed and was stopped.",
    ),
    OutcomeKind.DISK_FULL: _(
        "The build server's disk is full, so {phase_lower} was stopped. Your work is saved; please try again in a "
        "few minutes, and keep large files out of the image.",
    ),
    OutcomeKind.CANCELLED: _("Cancelled: {phase_lower} was stopped at your request."),
    OutcomeKind.ENGINE_UNAVAILABLE: _(
        "The build server is not available right now. Your work is saved; please try again in a minute.",
    ),
    OutcomeKind.NOT_PUBLISHED: _(
        "The course registry has no {reference} yet. Publish it first: press Publish after a Build & Run "
        "that works, or docker push it from your own machine.",
    ),
    OutcomeKind.REGISTRY_DENIED: _("The course registry refused {reference}: {reason}"),
    OutcomeKind.REGISTRY_QUOTA: _(
        "Your registry space is full ({used_mb} MB of {quota_mb} MB): delete an image you no longer need "
        "(your account page lists them) before pushing another.",
    ),
    OutcomeKind.REGISTRY_UNAVAILABLE: _(
        "The course registry is not available right now. Your work is saved; please try again in a minute.",
    ),
    OutcomeKind.INTERNAL_ERROR: _(
        "Something went wrong on the server (error {error_id}). Your work is saved; please try again, and quote "
        "{error_id} if it happens again.",
    ),
}

# What each phase is called at the start of a sentence and within one.
PHASES: dict[str, tuple[Promise, Promise]] = {
    "build": (pgettext_lazy("phase of an attempt", "The build"),
              pgettext_lazy("phase of an attempt", "the build")),
    "run": (pgettext_lazy("phase of an attempt", "The container"),
            pgettext_lazy("phase of an attempt", "the container")),
    "push": (pgettext_lazy("phase of an attempt", "The push"),
             pgettext_lazy("phase of an attempt", "the push")),
    "pull": (pgettext_lazy("phase of an attempt", "The pull"),
             pgettext_lazy("phase of an attempt", "the pull")),
}


@dataclass(frozen=True)
class Outcome:
    """How a build or run ended. `detail` holds the values its message needs; `phase` is "build" or "run"."""

    kind: OutcomeKind
    phase: str = "build"
    detail: dict[str, Any] = field(default_factory=dict)
    rejection: SubmissionRejected | None = None

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.OK

    def message(self, language: str = "en") -> str:
        return self.text()[content_language(language)]

    def text(self) -> Text:
        """The message in every course language."""
        if self.rejection is not None:
            return self.rejection.text()
        phase, phase_lower = PHASES[self.phase]
        return both(MESSAGES[self.kind], phase=phase, phase_lower=phase_lower, **self.detail)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form: kind, phase, detail and the message in both languages."""
        return {
            "kind": self.kind.value,
            "phase": self.phase,
            "detail": {**self.detail, **({"rule": self.rejection.rule} if self.rejection else {})},
            "message": self.text(),
        }


def rejected(error: SubmissionRejected) -> Outcome:
    return Outcome(OutcomeKind.REJECTED, detail={"line": error.line, **error.params}, rejection=error)


OK_BUILD = Outcome(OutcomeKind.OK, "build")
OK_RUN = Outcome(OutcomeKind.OK, "run")
