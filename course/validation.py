"""Proving an exercise right: its solution passes every check, its starter does not pass, and each wrong variant
fails exactly the checks it declares. `manage.py validate_course` runs this for the whole course."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from course.exercises import Exercise, load_exercise
from sandbox.engine import Engine
from sandbox.grader import GradeReport, grade


@dataclass(frozen=True)
class VariantResult:
    exercise: str
    variant: str  # "solution", "starter" or "wrong/<name>"
    ok: bool
    problem: str
    seconds: float


def exercise_folders(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.glob("*/exercises/*/exercise.yaml"))


def validate_exercise(engine: Engine, exercise: Exercise) -> list[VariantResult]:
    results = [
        _judge(engine, exercise, "solution", exercise.solution, _solution_problem),
        _judge(engine, exercise, "starter", exercise.starter, _starter_problem),
    ]
    for name, (files, expected) in exercise.wrong.items():
        results.append(_judge(engine, exercise, f"wrong/{name}", files,
                              lambda report, expected=expected: _wrong_problem(report, expected)))
    return results


def _judge(engine: Engine, exercise: Exercise, variant: str, files: dict[str, bytes], problem_of) -> VariantResult:
    started = time.monotonic()
    report = grade(engine, exercise.spec, files)
    problem = problem_of(report) if report.counts else f"not graded: {report.outcome.message()}"
    return VariantResult(exercise.slug, variant, not problem, problem, time.monotonic() - started)


def _failed_ids(report: GradeReport) -> set[str]:
    return {check.id for check in report.checks if not check.passed}


def _solution_problem(report: GradeReport) -> str:
    failed = [check for check in report.checks if not check.passed]
    return "; ".join(f"{check.id} failed: {check.message['en']}" for check in failed)


def _starter_problem(report: GradeReport) -> str:
    return "the starter passes every check: there is nothing to do" if report.passed else ""


def _wrong_problem(report: GradeReport, expected: list[str]) -> str:
    failed = _failed_ids(report)
    if failed == set(expected):
        return ""
    return f"fails {sorted(failed)}, declared {sorted(expected)}"


def load_all(root: Path, only: list[str] | None = None) -> list[Exercise]:
    return [load_exercise(folder) for folder in exercise_folders(root) if not only or folder.name in only]
