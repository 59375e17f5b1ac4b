from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from engine.engine import BaseImageRefused, Engine, EngineUnavailable
from engine.images import RECIPES, ensure_base_image, recipe_named


class Command(BaseCommand):
    help = "Build (or pull, per SANDBOX_BASE_IMAGE_SOURCES) the course base images on the sandbox engine."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="only these images, e.g. layerlab/busybox (default: all)")
        parser.add_argument("--force", action="store_true", help="rebuild even when the recipe has not changed")

    def handle(self, *args, names, force, **options):
        try:
            recipes = [recipe_named(name) for name in names] if names else list(RECIPES)
        except KeyError as error:
            raise CommandError(error.args[0]) from None
        engine = Engine.from_settings()
        for recipe in recipes:
            try:
                status = ensure_base_image(
                    engine,
                    recipe,
                    sources=settings.SANDBOX_BASE_IMAGE_SOURCES,
                    work_dir=settings.STATE_DIR / "images",
                    force=force,
                    say=self.stdout.write,
                )
            except EngineUnavailable as error:
                raise CommandError(f"The sandbox engine is not reachable: {error}") from None
            except BaseImageRefused as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{recipe.name}: {status}")
