from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from course.examples import Example, ExampleError, example_folders, record_example
from engine.engine import Engine, EngineUnavailable


class Command(BaseCommand):
    help = "Run the examples of lessons on the sandbox engine and write their outputs/<example>.txt."

    def add_arguments(self, parser):
        parser.add_argument("lessons", nargs="*", help="lesson folders (default: every lesson)")

    def handle(self, *args, lessons, **options):
        folders = [Path(p) for p in lessons] or sorted(p for p in settings.COURSE_CONTENT_DIR.iterdir() if p.is_dir())
        engine = Engine.from_settings()
        for folder in folders:
            for example_folder in example_folders(folder):
                self._record(engine, folder, example_folder)

    def _record(self, engine: Engine, lesson: Path, folder: Path) -> None:
        try:
            transcript = record_example(engine, Example.load(folder))
        except ExampleError as error:
            raise CommandError(str(error)) from None
        except EngineUnavailable as error:
            raise CommandError(f"The sandbox engine is not reachable: {error}") from None
        output = lesson / "outputs" / f"{folder.name}.txt"
        output.parent.mkdir(exist_ok=True)
        output.write_text(transcript, encoding="utf-8")
        self.stdout.write(f"{output}: {len(transcript.splitlines())} lines")
