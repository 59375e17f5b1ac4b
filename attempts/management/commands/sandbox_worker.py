import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from attempts.jobs import WorkerPool


class Command(BaseCommand):
    help = ("Build and grade queued attempts on this host's sandbox engine until stopped (SIGTERM or Ctrl-C). "
            "For scaled-out deployments: PostgreSQL, channels-redis, SANDBOX_EMBEDDED_WORKERS=false on web servers.")

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=None, help="threads (default: SANDBOX_WORKERS)")

    def handle(self, *args, workers, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        pool = WorkerPool(workers or settings.SANDBOX_WORKERS).start()
        self.stdout.write(f"{pool.size} worker(s) running as {pool.name}; waiting for attempts.")
        stop.wait()
        self.stdout.write("Stopping after the attempts in progress.")
        pool.stop()
