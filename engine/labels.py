"""How the sandbox names and labels what it makes on the engine.

Every tag is chosen here, never by the learner; every container and image carries the LABEL_* labels so that
the reaper can remove whatever a crash left behind.
"""
from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

LABEL_ROLE = "org.layerlab.sandbox.role"  # "base" for course images, "attempt" for learners' images and containers
LABEL_ATTEMPT = "org.layerlab.sandbox.attempt"
LABEL_CREATED = "org.layerlab.sandbox.created"  # unix time, for the reaper
LABEL_RECIPE = "org.layerlab.sandbox.recipe"  # digest of a base image's recipe

ATTEMPT_REPOSITORY = "layerlab-attempt"
CACHE_REPOSITORY = "layerlab-cache"  # one tag per image a stage ended with: the build cache, pruned least used first
ATTEMPT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def sandbox_labels(role: str, *, attempt: str | None = None) -> dict[str, str]:
    labels = {LABEL_ROLE: role, LABEL_CREATED: str(int(time.time()))}
    if attempt:
        labels[LABEL_ATTEMPT] = attempt
    return labels


def attempt_labels(image: str) -> dict[str, str]:
    """The labels of a container or image made for the attempt `image` is tagged for (if it is an attempt's)."""
    return sandbox_labels("attempt", attempt=attempt_of(image))


def label_instruction(labels: Mapping[str, str]) -> str:
    """One LABEL instruction setting every label (values are the sandbox's own: no quotes inside)."""
    return "LABEL " + " ".join(f'{key}="{value}"' for key, value in labels.items())


def attempt_of(image: str) -> str | None:
    prefix = f"{ATTEMPT_REPOSITORY}:"
    return image.removeprefix(prefix) if image.startswith(prefix) else None


def attempt_tag(attempt_id: str | None) -> str:
    """The only tag an attempt's image can get: layerlab-attempt:<id>. It cannot name a base image."""
    attempt_id = attempt_id or uuid.uuid4().hex
    if not ATTEMPT_ID.match(attempt_id):
        raise ValueError(f"attempt ids are lower-case letters, digits, '-' and '_': {attempt_id!r}")
    return f"{ATTEMPT_REPOSITORY}:{attempt_id}"


def is_base(image: dict[str, Any]) -> bool:
    """Whether a listed image is a course base image. Every image built on one inherits its labels, so the
    labels alone do not tell: a base has a name of its own, not an attempt's or the cache's."""
    sandbox_tag = (f"{ATTEMPT_REPOSITORY}:", f"{CACHE_REPOSITORY}:", "<none>")
    return (image.get("Labels") or {}).get(LABEL_ROLE) == "base" and any(
        not tag.startswith(sandbox_tag) for tag in image.get("RepoTags") or [])
