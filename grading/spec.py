"""An exercise's grading spec, from its definition (exercise.yaml as validated, or as an attempt keeps it)."""
from __future__ import annotations

from typing import Any

from engine.references import RELATIVE_REPOSITORY, TAG
from grading.checks import parse_check
from grading.runner import GradingSpec


def grading_spec(slug: str, definition: dict[str, Any]) -> GradingSpec:
    checks = [parse_check(f"checks[{i}]", options) for i, options in enumerate(definition["checks"])]
    published = image_name(definition["published"]) if definition.get("published") else None
    return GradingSpec(slug, list(definition["bases"]), checks, dict(definition.get("limits") or {}),
                       bool(definition.get("run_as_root", False)), published)


def image_name(text: Any) -> tuple[str, str] | None:
    """"hello:1.0" as ("hello", "1.0"); None when it is not a repository:tag of the reference grammar."""
    repository, _, tag = str(text).rpartition(":")
    return (repository, tag) if RELATIVE_REPOSITORY.match(repository) and TAG.match(tag) else None
