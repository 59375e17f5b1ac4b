"""Publish: push what an attempt built to the learner's own namespace in the course registry.

A publish is an attempt of its own (kind "publish"), queued, streamed and replayed like a try. It builds the source
attempt's files again (from the build cache, so in moments), tags the image once per requested tag and pushes
each tag with the learner's rights: the daemon gets a short-lived credential that the realm accepts for that learner
only (registry.registry.service_credentials). All tags of one publish name one image, hence one digest.
"""
from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from engine.engine import Engine, progress
from engine.facts import Phase, Published
from engine.limits import SandboxLimits
from engine.messages import Text, both
from engine.outcomes import Outcome, OutcomeKind
from engine.references import MAX_NAME_LENGTH, RELATIVE_REPOSITORY, TAG
from registry import registry
from registry.references import can_name_namespace

MAX_TAGS = 5


class BadDestination(ValueError):
    """A repository or tag the registry would refuse, in both languages."""

    def __init__(self, message: Text):
        super().__init__(message["en"])
        self.message = message


@dataclass(frozen=True)
class Destination:
    """Where a publish goes, under the learner's namespace: `repository` ("hello", "tools/hello") and its tags."""

    repository: str
    tags: tuple[str, ...]

    @classmethod
    def parse(cls, namespace: str, repository: Any, tags: Any) -> Destination:
        """Check names against Docker's reference grammar; BadDestination says what is wrong."""
        if not can_name_namespace(namespace):
            raise BadDestination(both(_(
                "Your user name {namespace!r} cannot name a registry namespace (lower-case letters and digits "
                "only, and not a name kept for the registry such as library or admin): ask an instructor to "
                "rename your account."), namespace=namespace))
        if not isinstance(repository, str) or not RELATIVE_REPOSITORY.match(repository):
            raise BadDestination(both(_(
                "A repository name is lower-case letters and digits, separated by '.', '_', '-' or '/' (e.g. hello).")))
        if len(f"{settings.REGISTRY_HOST}/{namespace}/{repository}") > MAX_NAME_LENGTH:
            raise BadDestination(both(_("That repository name is too long.")))
        if isinstance(tags, str):
            tags = tags.split()
        if not isinstance(tags, list) or not tags or not all(isinstance(tag, str) for tag in tags):
            raise BadDestination(both(_("Give at least one tag, e.g. 1.0.")))
        if len(tags) > MAX_TAGS:
            raise BadDestination(both(_("At most {limit} tags at a time."), limit=MAX_TAGS))
        for tag in tags:
            if not TAG.match(tag):
                raise BadDestination(both(_(
                    "{tag!r} is not a valid tag: letters, digits, '_', '.' and '-', at most 128, not starting "
                    "with '.' or '-'."), tag=tag))
        return cls(repository, tuple(dict.fromkeys(tags)))

    def as_target(self, source: int) -> dict[str, Any]:
        return {"source": source, "repository": self.repository, "tags": list(self.tags)}

    @classmethod
    def from_target(cls, target: dict[str, Any]) -> Destination:
        return cls(target["repository"], tuple(target["tags"]))


def publish_stream(
    engine: Engine,
    namespace: str,
    files: dict[str, bytes],
    destination: Destination,
    *,
    bases: list[str],
    executable: Collection[str] = (),
    limits: SandboxLimits,
    attempt_id: str | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Any]:
    """Build `files` (those in `executable` with the executable bit) and push the image under every tag of
    `destination`. Yields build events, push progress and a Published per tag; returns the Outcome."""
    if (refusal := registry.quota_refusal(namespace)) is not None:
        return refusal
    build = yield from progress(engine.build(files, allowed_bases=bases, executable=executable,
                                             attempt_id=attempt_id, limits=limits, cancel=cancel),
                                Phase("build", limits.build_timeout))
    if not build.outcome.ok:
        return build.outcome
    try:
        for tag in destination.tags:
            reference = registry.reference(namespace, destination.repository, tag)
            pushed = yield from progress(engine.push(
                build.image, reference, credentials=registry.service_credentials(namespace), cancel=cancel),
                Phase("push"))
            if not pushed.outcome.ok:
                return pushed.outcome
            yield Published(reference, pushed.digest)
    finally:
        engine.discard(build)
    return Outcome(OutcomeKind.OK, "push")
