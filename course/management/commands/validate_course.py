from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from course.exercises import ExerciseInvalid
from course.validation import load_all, validate_exercise
from engine.engine import Engine


class Command(BaseCommand):
    help = ("For every exercise: the solution and each alternative in solutions/ pass every check, the starter does "
            "not pass, each wrong variant fails exactly the checks it declares, and each cheat (at least one) does not "
            "pass. Prints the time each took.")

    def add_arguments(self, parser):
        parser.add_argument("exercises", nargs="*", help="only these exercise slugs")

    def handle(self, *args, exercises, **options):
        try:
            loaded = load_all(settings.COURSE_CONTENT_DIR, exercises)
        except ExerciseInvalid as error:
            raise CommandError(str(error)) from None
        engine = Engine.from_settings()
        broken = 0
        for exercise in loaded:
            results = validate_exercise(engine, exercise)
            total = sum(result.seconds for result in results)
            self.stdout.write(f"{exercise.slug} ({total:.1f} s)")
            for name, (asked, allowed) in exercise.spec.limits_above(engine.limits).items():
                self.stdout.write(f"  note: asks for {name} {asked:g}, capped at this server's {allowed:g}")
            for result in results:
                mark = "ok  " if result.ok else "FAIL"
                detail = f": {result.problem}" if result.problem else ""
                self.stdout.write(f"  {mark} {result.variant:<32} {result.seconds:5.1f} s{detail}")
                broken += not result.ok
        if broken:
            raise CommandError(f"{broken} variant(s) do not behave as declared.")
        self.stdout.write(f"All {len(loaded)} exercise(s) behave as declared.")
