"""Proving an exercise right: its solution and every alternative solution pass every check, its starter does not
pass, each wrong variant fails exactly the checks it declares, and each cheat fails (an exercise needs at least one
cheat). `manage.py validate_course` runs this for the whole course."""
from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model

from course.exercises import Exercise, Variant, exercise_folders, load_exercise
from engine.engine import Engine
from engine.facts import Published
from grading.runner import GradeReport, grade
from registry.publishing import Destination, publish_stream
from registry.registry import LearnerRegistry

NO_HINT = ("checks without a hint: {ids} (a hint unlocks after failed attempts: say where to look, not the "
           "answer)")
NO_CHEATS = ("no cheats/<name>/ folder: write at least one submission that fakes the result without doing what the "
             "exercise teaches, and make the checks refuse it")


@dataclass(frozen=True)
class VariantResult:
    exercise: str
    # "solution", "starter", "starter.<language>", "wrong/<name>", "cheats/<name>", "solutions/<name>"; or "cheats"
    # and "hints" for what the exercise lacks
    variant: str
    ok: bool
    problem: str  # what is wrong; for a variant that behaves, what is worth knowing (which checks caught a cheat)
    seconds: float


# What a variant's grading says: (behaves as declared, problem or note).
Judged = tuple[bool, str]


def validate_exercise(engine: Engine, exercise: Exercise) -> list[VariantResult]:
    results = [
        _judge(engine, exercise, "solution", exercise.solution, _solution_problem),
        _judge(engine, exercise, "starter", Variant(exercise.starter, executable=exercise.starter_executable),
               _starter_problem),
    ]
    for language, files in exercise.translated_starters.items():  # the same starter, in other words
        results.append(_judge(engine, exercise, f"starter.{language}",
                              Variant(files, executable=exercise.starter_executable), _starter_problem))
    for name, variant in exercise.wrong.items():
        results.append(_judge(engine, exercise, f"wrong/{name}", variant,
                              lambda report, expected=variant.fails: _wrong_problem(report, expected)))
    if unhinted := [check.id for check in exercise.spec.checks if not check.hint]:
        results.append(VariantResult(exercise.slug, "hints", False, NO_HINT.format(ids=", ".join(unhinted)), 0.0))
    if not exercise.cheats:
        results.append(VariantResult(exercise.slug, "cheats", False, NO_CHEATS, 0.0))
    for name, variant in exercise.cheats.items():
        results.append(_judge(engine, exercise, f"cheats/{name}", variant, _cheat_problem))
    for name, variant in exercise.solutions.items():
        results.append(_judge(engine, exercise, f"solutions/{name}", variant, _solution_problem))
    return results


def _judge(engine: Engine, exercise: Exercise, label: str, variant: Variant, problem_of) -> VariantResult:
    started = time.monotonic()
    if exercise.spec.uses_registry:
        behaves, problem = _judge_as_publishing_learner(engine, exercise, variant, problem_of)
    else:
        behaves, problem = _problem(grade(engine, exercise.spec, variant.files, executable=variant.executable),
                                    problem_of)
    return VariantResult(exercise.slug, label, behaves, problem, time.monotonic() - started)


def _problem(report: GradeReport, problem_of) -> Judged:
    return problem_of(report) if report.counts else (False, f"not graded: {report.outcome.message()}")


def _judge_as_publishing_learner(engine: Engine, exercise: Exercise, variant: Variant, problem_of) -> Judged:
    """Play a learner of a registry exercise: a new account publishes as the variant says, then submits."""
    with throwaway_learner() as username:
        files = dict(variant.files)
        for step in variant.publish:
            outcome, digest = _publish(engine, exercise, username, files, variant.executable, step)
            if not outcome.ok:
                return False, f"publishing {step.repository}:{','.join(step.tags)} failed: {outcome.message()}"
            if step.digest_to:
                files[step.digest_to] = f"{digest}\n".encode()
        return _problem(grade(engine, exercise.spec, files, executable=variant.executable,
                              registry=LearnerRegistry(username)), problem_of)


def _publish(engine: Engine, exercise: Exercise, username: str, files: dict[str, bytes], executable, step):
    stream = publish_stream(engine, username, files, Destination(step.repository, step.tags),
                            bases=exercise.spec.bases, executable=executable, limits=exercise.spec.limits_on(engine))
    digest = None
    while True:
        try:
            event = next(stream)
        except StopIteration as end:
            return end.value, digest
        if isinstance(event, Published):
            digest = event.digest


@contextmanager
def throwaway_learner() -> Iterator[str]:
    """A learner account for one validation; deleting it deletes what it published (registry.signals)."""
    user = get_user_model().objects.create_user(f"validate-{uuid.uuid4().hex[:12]}")
    try:
        yield user.get_username()
    finally:
        user.delete()


def _failed_ids(report: GradeReport) -> set[str]:
    return {check.id for check in report.checks if not check.passed}


def _solution_problem(report: GradeReport) -> Judged:
    failed = [check for check in report.checks if not check.passed]
    return not failed, "; ".join(f"{check.id} failed: {check.message['en']}" for check in failed)


def _starter_problem(report: GradeReport) -> Judged:
    return (False, "the starter passes every check: there is nothing to do") if report.passed else (True, "")


def _cheat_problem(report: GradeReport) -> Judged:
    """A cheat must build (or be pulled) and still not pass; the note names the required checks that caught it."""
    if not report.outcome.ok:
        return False, f"does not build, so it proves nothing: {report.outcome.message()}"
    caught = sorted(check.id for check in report.checks if check.required and not check.passed)
    if not caught:
        return False, "passes: a cheat must fail at least one required check"
    return True, f"caught by {caught}"


def _wrong_problem(report: GradeReport, expected: list[str]) -> Judged:
    failed = _failed_ids(report)
    if failed == set(expected):
        return True, ""
    return False, f"fails {sorted(failed)}, declared {sorted(expected)}"


def load_all(root: Path, only: list[str] | None = None) -> list[Exercise]:
    return [load_exercise(folder) for folder in exercise_folders(root) if not only or folder.name in only]
