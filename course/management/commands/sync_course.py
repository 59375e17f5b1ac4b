from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from course.content import ContentError
from course.sync import sync_course


class Command(BaseCommand):
    help = "Validate the course content (docs/lessons.md) and load it into the database. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--content", type=Path, default=None, help="content folder (default: COURSE_CONTENT_DIR)")

    def handle(self, *args, content, **options):
        try:
            report = sync_course(content or settings.COURSE_CONTENT_DIR)
        except ContentError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(error.problems)} problem(s) in the course content; nothing was loaded.") from None
        self.stdout.write(f"Loaded {report.lessons} lessons and {report.exercises} exercises.")
        if report.removed_lessons:
            self.stdout.write(f"Removed lessons: {', '.join(report.removed_lessons)}")
        if report.retired_exercises:
            self.stdout.write(f"Exercises no longer in the course: {', '.join(report.retired_exercises)}")
