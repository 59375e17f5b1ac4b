import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from attempts.jobs import Refused, check_file_name
from course.exercises import ExerciseInvalid, find_exercise_folder, load_exercise
from engine.engine import Engine
from engine.outcomes import INFRASTRUCTURE_FAILURES, OutcomeKind
from engine.rules import SubmissionRejected
from engine.submission_files import executable_files, read_context_directory
from grading.runner import GradeReport, GradingSpec, grade
from registry.registry import LearnerRegistry

PASSED, FAILED, INVALID, UNAVAILABLE = 0, 1, 2, 3


class InvalidInput(Exception):
    """Input the command refuses before grading (exit status 2); the message says why."""


class Command(BaseCommand):
    help = ("Grade a directory as a learner's submission of an exercise, exactly as the website does. "
            "Exit status: 0 passed, 1 failed, 2 invalid input, 3 engine or registry unavailable.")

    def add_arguments(self, parser):
        parser.add_argument("exercise", help="exercise slug, e.g. first-dockerfile")
        parser.add_argument("directory", type=Path, help="the submission: a Dockerfile and its context")
        parser.add_argument("--json", action="store_true", help="print one JSON object, whatever happens")
        parser.add_argument("--language", choices=["en", "zh-hans"], default="en")
        parser.add_argument("--user", default="", help="whose registry namespace to grade, for exercises graded "
                            "from the course registry (e.g. push-private-registry)")

    def handle(self, *args, exercise, directory, json: bool, language: str, user: str, **options):
        try:
            spec, files, executable = self._context(exercise, directory, language, user)
        except InvalidInput as invalid:
            self._refuse(exercise, str(invalid), json)
        report = grade(Engine.from_settings(), spec, files, executable=executable,
                       registry=LearnerRegistry(user) if user else None)
        self._print(report, json, language)
        raise SystemExit(self._status(report))

    def _context(self, exercise: str, directory: Path, language: str,
                 user: str) -> tuple[GradingSpec, dict, frozenset[str]]:
        """The exercise's grading spec, the submission's files and those of them that are executable, or
        InvalidInput saying why there are none."""
        try:
            spec = load_exercise(find_exercise_folder(settings.COURSE_CONTENT_DIR, exercise)).spec
        except (LookupError, ExerciseInvalid) as error:
            raise InvalidInput(str(error)) from None
        if spec.uses_registry and not user:
            raise InvalidInput(f"{exercise} is graded from the course registry: give --user <username>")
        if not directory.is_dir():
            raise InvalidInput(f"{str(directory)!r} is not a directory")  # quoted: argv need not be UTF-8
        try:
            files = read_context_directory(directory)
            for name in files:  # the names the website accepts, so that grading here grades what it could
                check_file_name(name)
        except SubmissionRejected as rejected:
            raise InvalidInput(rejected.message(language)) from None
        except Refused as refused:
            raise InvalidInput(refused.message[language]) from None
        return spec, files, executable_files(directory, files)

    def _refuse(self, exercise: str, message: str, as_json: bool):
        if as_json:  # the shape of a report with no checks, so that a script reads every answer alike
            self._write_json({"exercise": exercise, "passed": False, "score": 0, "max_score": 0,
                              "outcome": "invalid_input", "checks": [], "message": message})
        else:
            self.stderr.write(f"Invalid input: {message}")
        raise SystemExit(INVALID)

    def _print(self, report: GradeReport, as_json: bool, language: str) -> None:
        if as_json:
            self._write_json(report.as_dict(language))
            return
        if not report.outcome.ok:
            self.stdout.write(report.outcome.message(language))
        for check in report.checks:
            mark = "PASS" if check.passed else "FAIL"
            self.stdout.write(f"{mark} {check.id} ({check.points}/{check.max_points}): {check.message[language]}")
            if check.hint:
                self.stdout.write(f"     hint: {check.hint[language]}")
        verdict = "passed" if report.passed else "not passed"
        self.stdout.write(f"{report.exercise}: {verdict}, score {report.score}/{report.max_score}")

    def _write_json(self, data: dict) -> None:
        # Chinese stays readable; a lone surrogate (from an argument that is not UTF-8) becomes a JSON \u escape.
        self.stdout.write(json.dumps(data, ensure_ascii=False).encode("utf-8", "backslashreplace").decode())

    def _status(self, report: GradeReport) -> int:
        if report.outcome.kind in INFRASTRUCTURE_FAILURES:
            return UNAVAILABLE
        if report.outcome.kind is OutcomeKind.REJECTED:
            return INVALID
        return PASSED if report.passed else FAILED
