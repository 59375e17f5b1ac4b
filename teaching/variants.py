"""An exercise's variants as its author wrote them (course/content, docs/authoring.md): the reference solution, its
alternatives, the wrong variants and the cheats, as text for the editor. A wrong variant or a cheat holds only the
files that differ from the solution; the rest are the solution's."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from course.exercises import find_exercise_folder
from engine.submission_files import read_context_directory

KINDS = ("solutions", "wrong", "cheats")  # folders of named variants beside solution/


def _folder(slug: str) -> Path | None:
    try:
        return find_exercise_folder(Path(settings.COURSE_CONTENT_DIR), slug)
    except LookupError:
        return None


def _text(files: dict[str, bytes]) -> dict[str, str]:
    return {path: data.decode("utf-8", errors="replace") for path, data in files.items()}


def reference_files(slug: str) -> dict[str, str] | None:
    """The reference solution of an exercise, or None when its files are gone."""
    folder = _folder(slug)
    if folder is None or not (folder / "solution").is_dir():
        return None
    return _text(read_context_directory(folder / "solution"))


def variant_names(slug: str) -> list[tuple[str, str]]:
    """(kind, name) of every variant of an exercise, the solution first."""
    folder = _folder(slug)
    if folder is None:
        return []
    named = [(kind, path.name) for kind in KINDS if (folder / kind).is_dir()
             for path in sorted((folder / kind).iterdir()) if path.is_dir()]
    return [("solution", ""), *named]


def variant_files(slug: str, kind: str, name: str) -> dict[str, str] | None:
    """The files of one variant, or None when there is no such variant."""
    if (kind, name) not in variant_names(slug):
        return None
    solution = reference_files(slug) or {}
    if kind == "solution":
        return solution
    return {**solution, **_text(read_context_directory(_folder(slug) / kind / name))}
