from django.core.management.base import BaseCommand, CommandError

from attempts.sweeper import sweep_once
from engine.engine import EngineUnavailable
from engine.limits import MB


class Command(BaseCommand):
    help = ("Remove sandbox containers, attempt tags and unused volumes older than SANDBOX_REAP_AFTER seconds, the "
            "layers failed builds left, and the least recently used build cache beyond SANDBOX_CACHE_BUDGET_MB.")

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=None,
                            help="seconds (default: SANDBOX_REAP_AFTER); 0 removes every sandbox leftover")

    def handle(self, *args, older_than, **options):
        try:
            report = sweep_once(older_than=older_than)
        except EngineUnavailable as error:
            raise CommandError(f"The sandbox engine is not reachable: {error}") from None
        self.stdout.write(
            f"Removed {report.containers} container(s), {report.images} attempt image(s) and cache entries, "
            f"{report.dangling} dangling layer(s), {report.volumes} volume(s); "
            f"reclaimed {report.reclaimed_bytes / MB:.1f} MB."
        )
