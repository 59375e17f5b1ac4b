import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from course.exercises import ExerciseInvalid, find_exercise_folder, load_exercise
from sandbox.engine import Engine
from sandbox.grader import GradeReport, grade
from sandbox.outcomes import INFRASTRUCTURE_FAILURES, OutcomeKind
from sandbox.rules import SubmissionRejected
from sandbox.submission_files import read_context_directory

PASSED, FAILED, INVALID, UNAVAILABLE = 0, 1, 2, 3


class Command(BaseCommand):
    help = ("Grade a directory as a learner's submission of an exercise, exactly as the website does. "
            "Exit status: 0 passed, 1 failed, 2 invalid input, 3 engine or registry unavailable.")

    def add_arguments(self, parser):
        parser.add_argument("exercise", help="exercise slug, e.g. first-dockerfile")
        parser.add_argument("directory", type=Path, help="the submission: a Dockerfile and its context")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--language", choices=["en", "zh-hans"], default="en")
        parser.add_argument("--user", default="", help="whose registry namespace to grade, for exercises graded "
                            "from the course registry (e.g. push-private-registry)")

    def handle(self, *args, exercise, directory, json: bool, language: str, user: str, **options):
        try:
            spec = load_exercise(find_exercise_folder(settings.COURSE_CONTENT_DIR, exercise)).spec
            files = read_context_directory(directory) if directory.is_dir() else None
        except (LookupError, ExerciseInvalid, SubmissionRejected) as error:
            return self._invalid(str(error) if not isinstance(error, SubmissionRejected) else error.message(language))
        if files is None:
            return self._invalid(f"{directory} is not a directory")
        if spec.uses_registry and not user:
            return self._invalid(f"{exercise} is graded from the course registry: give --user <username>")
        report = grade(Engine.from_settings(), spec, files, namespace=user)
        self._print(report, json, language)
        raise SystemExit(self._status(report))

    def _invalid(self, message: str):
        self.stderr.write(f"Invalid input: {message}")
        raise SystemExit(INVALID)

    def _print(self, report: GradeReport, as_json: bool, language: str) -> None:
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(language), ensure_ascii=False))
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

    def _status(self, report: GradeReport) -> int:
        if report.outcome.kind in INFRASTRUCTURE_FAILURES:
            return UNAVAILABLE
        if report.outcome.kind is OutcomeKind.REJECTED:
            return INVALID
        return PASSED if report.passed else FAILED
