"""Publish: push what an attempt built to the learner's own namespace in the course registry.

A publish is an attempt of its own (kind "publish"), queued, streamed and replayed like a try. It builds the source
attempt's files again (from the build cache, so in moments), tags the image once per requested tag and pushes
each tag with the learner's rights: the daemon gets a short-lived credential that the realm accepts for that learner
only (registry.registry.service_credentials). All tags of one publish name one image, hence one digest.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from engine.engine import Engine, progress
from engine.facts import Published
from engine.limits import SandboxLimits
from engine.outcomes import Outcome, OutcomeKind
from registry import registry
from registry.references import MAX_NAME_LENGTH, RELATIVE_REPOSITORY, TAG, can_name_namespace

MAX_TAGS = 5


class BadDestination(ValueError):
    """A repository or tag the registry would refuse, in both languages."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.message = {"en": en, "zh-hans": zh}


@dataclass(frozen=True)
class Destination:
    """Where a publish goes, under the learner's namespace: `repository` ("hello", "tools/hello") and its tags."""

    repository: str
    tags: tuple[str, ...]

    @classmethod
    def parse(cls, namespace: str, repository: Any, tags: Any) -> Destination:
        """Check names against Docker's reference grammar; BadDestination says what is wrong."""
        if not can_name_namespace(namespace):
            raise BadDestination(
                f"Your user name {namespace!r} cannot name a registry namespace (lower-case letters and digits "
                "only, and not a name kept for the registry such as library or admin): ask an instructor to "
                "rename your account.",
                f"你的用户名 {namespace!r} 不能用作镜像仓库的命名空间（只能使用小写字母和数字，且不能是 library、"
                "admin 等仓库保留的名称）：请联系讲师为你的账户改名。")
        if not isinstance(repository, str) or not RELATIVE_REPOSITORY.match(repository):
            raise BadDestination(
                "A repository name is lower-case letters and digits, separated by '.', '_', '-' or '/' (e.g. hello).",
                "仓库名由小写字母和数字组成，可用“.”“_”“-”或“/”分隔（例如 hello）。")
        if len(f"{settings.REGISTRY_HOST}/{namespace}/{repository}") > MAX_NAME_LENGTH:
            raise BadDestination("That repository name is too long.", "仓库名太长了。")
        if isinstance(tags, str):
            tags = tags.split()
        if not isinstance(tags, list) or not tags or not all(isinstance(tag, str) for tag in tags):
            raise BadDestination("Give at least one tag, e.g. 1.0.", "请至少给出一个标签，例如 1.0。")
        if len(tags) > MAX_TAGS:
            raise BadDestination(f"At most {MAX_TAGS} tags at a time.", f"一次最多 {MAX_TAGS} 个标签。")
        for tag in tags:
            if not TAG.match(tag):
                raise BadDestination(
                    f"{tag!r} is not a valid tag: letters, digits, '_', '.' and '-', at most 128, not starting "
                    "with '.' or '-'.",
                    f"{tag!r} 不是有效的标签：只能包含字母、数字、“_”“.”“-”，最多 128 个字符，且不能以“.”或“-”开头。")
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
    limits: SandboxLimits,
    attempt_id: str | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[Any]:
    """Build `files` and push the image under every tag of `destination`. Yields build events, push progress and
    a Published per tag; returns the Outcome."""
    if (refusal := registry.quota_refusal(namespace)) is not None:
        return refusal
    build = yield from progress(engine.build(files, allowed_bases=bases, attempt_id=attempt_id, limits=limits,
                                             cancel=cancel))
    if not build.outcome.ok:
        return build.outcome
    try:
        for tag in destination.tags:
            reference = registry.reference(namespace, destination.repository, tag)
            pushed = yield from progress(engine.push(
                build.image, reference, credentials=registry.service_credentials(namespace), cancel=cancel))
            if not pushed.outcome.ok:
                return pushed.outcome
            yield Published(reference, pushed.digest)
    finally:
        engine.discard(build)
    return Outcome(OutcomeKind.OK, "push")
