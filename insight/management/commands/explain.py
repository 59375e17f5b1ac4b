import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from engine.engine import Engine, EngineUnavailable
from engine.images import RECIPES
from engine.outcomes import INFRASTRUCTURE_FAILURES, OutcomeKind
from engine.rules import SubmissionRejected
from engine.submission_files import executable_files, read_context_directory
from insight.explain import Explanation, explain

BUILT, BUILD_FAILED, INVALID, UNAVAILABLE = 0, 1, 2, 3
COURSE_BASES = [recipe.name for recipe in RECIPES]


class Command(BaseCommand):
    help = ("Build a directory as the site would and explain the image: its layers, the bytes later layers waste "
            "and the command Docker runs for the arguments after `--`. "
            "Exit status: 0 explained, 1 the build failed, 2 invalid input, 3 engine unavailable.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a Dockerfile and its context")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--base", action="append", choices=COURSE_BASES, metavar="NAME",
                            help=f"a base image FROM may name (repeatable; default: all of {', '.join(COURSE_BASES)})")
        parser.add_argument("--entrypoint", help="as `docker run --entrypoint` (an empty value resets it)")

    def create_parser(self, prog_name, subcommand, **kwargs):
        """A parser that takes everything after `--` as the run arguments. argparse alone cannot: a positional
        list after options is claimed, empty, by the first positional it meets."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parse_args = parser.parse_args

        def parse_with_run_args(args=None, namespace=None):
            args = list(args or [])
            split = args.index("--") if "--" in args else len(args)
            parsed = parse_args(args[:split], namespace)
            parsed.run_args = args[split + 1:]
            return parsed

        parser.parse_args = parse_with_run_args
        parser.usage = "%(prog)s directory [--json] [--base NAME] [--entrypoint ENTRYPOINT] [-- run args…]"
        return parser

    def handle(self, *args, directory: Path, run_args: list[str], json: bool, base: list[str] | None,
               entrypoint: str | None, **options):
        files = self._files(directory)
        engine = Engine.from_settings()
        build = list(engine.build(files, allowed_bases=base or COURSE_BASES,
                                  executable=executable_files(directory, files)))[-1]
        if not build.outcome.ok:
            self.stderr.write(build.outcome.message("en"))
            raise SystemExit(_failure_status(build.outcome.kind))
        try:
            explanation = explain(engine, build.image, dockerfile=files["Dockerfile"].decode(errors="replace"),
                                  run_args=run_args, entrypoint=entrypoint)
        except EngineUnavailable as error:
            self.stderr.write(str(error))
            raise SystemExit(UNAVAILABLE) from None
        finally:
            engine.discard(build)
        if json:
            self.stdout.write(_json(explanation.as_dict()))
        else:
            self._print(explanation)

    def _files(self, directory: Path) -> dict[str, bytes]:
        if not directory.is_dir():
            raise CommandError(f"{str(directory)!r} is not a directory", returncode=INVALID)
        try:
            files = read_context_directory(directory)
        except SubmissionRejected as rejected:
            raise CommandError(rejected.message("en"), returncode=INVALID) from None
        if "Dockerfile" not in files:
            raise CommandError(f"{str(directory)!r} has no Dockerfile", returncode=INVALID)
        return files

    def _print(self, explanation: Explanation) -> None:
        report = explanation.as_dict()
        self.stdout.write(f"{'#':>3}  {'size':>10}  {'+':>5} {'~':>5} {'-':>5}  line  instruction")
        for number, layer in enumerate(report["layers"]):
            size = "(config)" if layer["metadata_only"] else _size(layer["size"])
            line = str(layer["line"]) if layer["line"] else "base" if layer["from_base"] else ""
            counts = " ".join(f"{len(layer[change]):>5}" for change in ("added", "modified", "deleted"))
            self.stdout.write(f"{number:>3}  {size:>10}  {counts}  {line:>4}  {layer['instruction'][:70]}")
        self.stdout.write(f"size {_size(report['size'])}, wasted {_size(report['wasted_bytes'])}, "
                          f"efficiency {report['efficiency']:.1%}")
        for item in report["waste"]:
            self.stdout.write(f"  {_size(item['size']):>10}  /{item['path']}: in layer {item['layer']}, "
                              f"{item['how']} by layer {item['by']}")
        if report["no_command"]:
            self.stdout.write("argv: none; Docker refuses to start this image: no command specified")
        else:
            self.stdout.write(f"argv: {_json(report['argv'])}")


def _failure_status(kind: OutcomeKind) -> int:
    if kind in INFRASTRUCTURE_FAILURES:
        return UNAVAILABLE
    return INVALID if kind is OutcomeKind.REJECTED else BUILD_FAILED


def _size(size: int) -> str:
    return f"{size / 1000:.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
