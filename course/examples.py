"""Lesson examples: a Dockerfile and its context, run on the sandbox engine to record what a lesson shows.

Each example folder holds an `example.yaml` naming the allowed base images and the steps to show (build, rebuild,
history, size, run, stop). `record_example` runs them and returns a console transcript written the way the docker
CLI would print it, so that no output in a lesson is ever typed by hand.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.engine import ANSI_COLOUR, Engine
from engine.facts import BuildResult, BuildStep, ImageFacts, LogLine, StepFinished
from engine.rules import RESERVED_LABEL_PREFIX
from engine.submission_files import executable_files, read_context_directory

EXAMPLE_FILE = "example.yaml"
STEP_KINDS = ("build", "rebuild", "history", "size", "run", "stop")


class ExampleError(ValueError):
    """An example that cannot be recorded; the message names the file."""


@dataclass(frozen=True)
class Example:
    name: str
    folder: Path
    bases: list[str]
    steps: list[tuple[str, Any]]

    @classmethod
    def load(cls, folder: Path) -> Example:
        path = folder / EXAMPLE_FILE
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise ExampleError(f"{path}: {error}") from None
        bases = data.get("bases")
        if not isinstance(bases, list) or not bases:
            raise ExampleError(f"{path}: 'bases' must list the images FROM may name")
        return cls(folder.name, folder, bases, [_step(path, step) for step in data.get("steps") or []])


def _step(path: Path, step: Any) -> tuple[str, Any]:
    kind, argument = (step, None) if isinstance(step, str) else next(iter(step.items()), (None, None))
    if kind not in STEP_KINDS:
        raise ExampleError(f"{path}: unknown step {step!r}; steps are {', '.join(STEP_KINDS)}")
    return kind, argument


def record_example(engine: Engine, example: Example) -> str:
    """Run every step of `example` and return the transcript."""
    files = {path: data for path, data in read_context_directory(example.folder).items() if path != EXAMPLE_FILE}
    recorder = _Recorder(engine, example, files, executable_files(example.folder, files))
    try:
        for kind, argument in example.steps:
            recorder.lines.extend(getattr(recorder, kind)(argument))
    finally:
        recorder.clean_up()
    return "\n".join(recorder.lines).rstrip() + "\n"


class _Recorder:
    def __init__(self, engine: Engine, example: Example, files: dict[str, bytes], executable: frozenset[str]):
        self.engine, self.example, self.files, self.executable = engine, example, files, executable
        self.name = example.name
        self.builds: list[BuildResult] = []
        self.image: str | None = None
        self.lines: list[str] = []

    def build(self, _argument: Any) -> Iterator[str]:
        yield f"$ docker build -t {self.name} ."
        # A recording need not stream: the build's result is its last event.
        *events, result = self.engine.build(self.files, allowed_bases=self.example.bases,
                                            executable=self.executable,
                                            attempt_id=_attempt_id(self))
        for event in events:
            yield from _build_event(event)
        yield from self._finish(result)

    def rebuild(self, changes: dict[str, str] | None) -> Iterator[str]:
        for path, text in (changes or {}).items():
            self.files[path] = text.encode()
        yield f"$ # edit {', '.join(changes or {}) or 'nothing'}, then build again"
        yield from self.build(None)

    def _finish(self, result: BuildResult | None) -> Iterator[str]:
        if result is None or not result.outcome.ok:
            yield result.outcome.message() if result else "build did not finish"
            return
        self.builds.append(result)
        self.image = result.image
        yield f"Successfully built {result.image_id.removeprefix('sha256:')[:12]}"
        yield f"Successfully tagged {self.name}:latest"

    def history(self, _argument: Any) -> Iterator[str]:
        facts = self._facts()
        yield f"$ docker history {self.name}"
        yield f"{'CREATED BY':<62}{'SIZE':>10}"
        for entry in reversed(facts.history):
            if RESERVED_LABEL_PREFIX in entry.created_by:
                continue
            created_by = entry.created_by or entry.comment  # an imported base layer has only a comment
            yield f"{_shorten(created_by, 60):<62}{human_size(entry.size):>10}"

    def size(self, _argument: Any) -> Iterator[str]:
        facts = self._facts()
        yield f"$ docker image ls {self.name}"
        yield f"{'REPOSITORY':<24}{'TAG':<10}{'SIZE':>10}"
        yield f"{self.name:<24}{'latest':<10}{human_size(facts.size):>10}"

    def run(self, args: list[str] | None) -> Iterator[str]:
        self._require_image()
        yield " ".join(["$ docker run --rm", self.name, *(args or [])])
        for event in self.engine.run(self.image, list(args) if args else None):
            if isinstance(event, LogLine):
                yield ANSI_COLOUR.sub("", event.text)

    def stop(self, args: list[str] | None) -> Iterator[str]:
        self._require_image()
        result = self.engine.stop_time(self.image, list(args) if args else None)
        yield " ".join(["$ docker run -d --name", self.name, self.name, *(args or [])])
        how = "SIGKILL after the grace period" if result.killed else "exited on SIGTERM"
        yield f"$ time docker stop {self.name}    # {result.seconds:.2f} s, {how}"
        yield f"$ docker logs {self.name}"
        yield from result.output.rstrip("\n").splitlines()

    def _facts(self) -> ImageFacts:
        self._require_image()
        return self.engine.inspect(self.image)

    def _require_image(self) -> None:
        if self.image is None:
            raise ExampleError(f"{self.example.folder / EXAMPLE_FILE}: a step needs an image: put 'build' first")

    def clean_up(self) -> None:
        for build in reversed(self.builds):
            self.engine.discard(build)


def _attempt_id(recorder: _Recorder) -> str:
    return re.sub(r"[^a-z0-9-]", "-", f"example-{recorder.name}-{len(recorder.builds)}".lower())[:64]


def _build_event(event: BuildStep | StepFinished | LogLine) -> Iterator[str]:
    if isinstance(event, BuildStep):
        yield f"Step {event.number}/{event.total} : {event.instruction}"
    elif isinstance(event, StepFinished) and event.cached:
        yield " ---> Using cache"
    elif isinstance(event, LogLine):
        yield ANSI_COLOUR.sub("", event.text)


def _shorten(text: str, width: int) -> str:
    text = re.sub(r"\s+", " ", text.replace("/bin/sh -c #(nop) ", "")).strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def human_size(size: int) -> str:
    """Sizes as `docker history` prints them: decimal units, three significant digits."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.3g}{unit}"
        value /= 1000
    raise AssertionError("unreachable")


def example_folders(lesson_folder: Path) -> list[Path]:
    examples = lesson_folder / "examples"
    return sorted(p for p in examples.iterdir() if p.is_dir()) if examples.is_dir() else []
