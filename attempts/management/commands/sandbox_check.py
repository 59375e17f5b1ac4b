import json

from django.core.management.base import CommandError

from attempts.health import health, healthy
from engine.management.commands import sandbox_check


class Command(sandbox_check.Command):
    help = sandbox_check.Command.help + (" Then the health of the whole sandbox: every engine, worker, the queue, "
                                         "the database, Redis and the registry (--json: that report alone, as the "
                                         "staff endpoint gives it).")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json", help="print the health report as JSON")

    def handle(self, *args, as_json: bool = False, **options):
        if not as_json:
            super().handle(*args, **options)
        report = health()
        self.stdout.write(json.dumps(report, indent=2) if as_json else as_text(report))
        if not healthy(report):
            raise CommandError("Something the sandbox needs does not answer (see above).")


def as_text(report: dict) -> str:
    lines = ["Health:",
             f"  database {report['database']['vendor']}: {_state(report['database'])}",
             f"  redis: {_state(report['redis'])}",
             f"  registry {report['registry']['host']}: {_state(report['registry'])}"]
    for engine in report["engines"]:
        lines.append(f"  engine {engine['docker_host']}: " + (
            f"Docker {engine['version']}, {engine.get('images', 0)} images, "
            f"{engine.get('layers_bytes', 0) / 2**20:.0f} MB of layers, last sweep {engine['last_sweep'] or 'never'}"
            if engine["reachable"] else f"unreachable ({engine['problem']})"))
    if queue := report["queue"]:
        lines.append(f"  queue: {queue['length']} queued, oldest waiting {queue['oldest_seconds'] or 0} s")
    for worker in report["workers"]:
        lines.append(f"  worker {worker['name']} on {worker['engine']}: {worker['running']} running, last heartbeat "
                     f"{worker['seconds_since_heartbeat']} s ago{'' if worker['alive'] else ' (silent)'}")
    return "\n".join(lines)


def _state(part: dict) -> str:
    if part["ok"] is None:
        return part["problem"]
    return "ok" if part["ok"] else f"down ({part.get('problem', '')})"
