"""Checks: pure judgements over facts about a built image. A check never calls Docker.

Each check type reads its options from an exercise's YAML (`parse_check` reports bad options by key), says which
facts it needs (`needs`), and judges them (`judge`), giving a Verdict that states what was expected and what was
found, in English and Chinese. docs/authoring.md lists every type with an example.
"""
from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

from engine.dockerfile import Dockerfile
from engine.facts import (
    BuildResult,
    ImageFacts,
    LayerListing,
    PathFact,
    ProcessResult,
    RepositoryFacts,
    RunResult,
    StepRecord,
    StopResult,
)
from engine.limits import MB
from engine.messages import Phrase, Picked, Text, both, phrase
from engine.references import DIGEST, RELATIVE_REPOSITORY, TAG, short_digest

CONFIG_FIELDS = {
    "Cmd": "cmd", "Entrypoint": "entrypoint", "WorkingDir": "working_dir", "User": "user", "Env": "env",
    "ExposedPorts": "exposed_ports", "Labels": "labels",
}
TOOLCHAINS = {
    "go": {
        "paths": ["/usr/bin/go", "/usr/lib/go", "/usr/lib/go-1.19", "/usr/local/go"],
        "patterns": ["*.go", "go.mod"],
    },
}


class SpecError(ValueError):
    """An exercise option that cannot be used; `key` says where (e.g. "checks[2].stdout")."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key}: {message}")
        self.key = key


# ------------------------------------------------------------------------------------------------------ facts


@dataclass(frozen=True)
class LintFinding:
    line: int | None
    code: str
    level: str  # "error", "warning", "info", "style"
    message: str | Text  # a broken rule's in every course language; hadolint's advice in its own English


@dataclass
class Facts:
    """Everything the engine gathered about one submission; checks read from here and nothing else."""

    build: BuildResult
    dockerfile: Dockerfile | None = None
    image: ImageFacts | None = None
    base: ImageFacts | None = None  # the final stage's base image; None for scratch
    runs: dict[tuple, RunResult] = field(default_factory=dict)
    stops: dict[tuple, StopResult] = field(default_factory=dict)
    paths: dict[str, PathFact] = field(default_factory=dict)
    layers: list[LayerListing] | None = None
    rebuilds: dict[str, BuildResult] = field(default_factory=dict)
    rebuild_runs: dict[str, dict[tuple, RunResult]] = field(default_factory=dict)  # rebuild key -> its runs
    processes: dict[tuple, ProcessResult] = field(default_factory=dict)
    step_paths: dict[str, dict[str, PathFact]] = field(default_factory=dict)  # step image -> path -> fact
    lint: list[LintFinding] = field(default_factory=list)
    submitted: dict[str, bytes] = field(default_factory=dict)  # the submission's files
    registry: dict[str, RepositoryFacts] = field(default_factory=dict)  # repository (under namespace) -> facts

    def learner_layers(self) -> list[LayerListing]:
        """The layers the submission added on top of its final base image."""
        base_ids = {layer.diff_id for layer in self.base.layers} if self.base else set()
        return [layer for layer in self.layers or [] if layer.diff_id not in base_ids]


@dataclass(frozen=True)
class Need:
    """A fact a check needs: ("run", args, env), ("stop", args), ("process", args, env, ready), ("paths", path),
    ("step_paths", path) (the path after every build step), ("layers",), ("rebuild", key), ("rebuild_run", key),
    ("registry", repository, tags), ("registry_pull", repository, tag)."""

    kind: str
    key: Any = None
    detail: Any = None


# -------------------------------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    passed: bool
    message: Text


def ok(message: Any, /, **params: Any) -> Verdict:
    return Verdict(True, both(message, **params))


def failed(message: Any, /, **params: Any) -> Verdict:
    return Verdict(False, both(message, **params))


def shown(value: Any) -> str:
    """A value as the learner would write it: JSON for lists and mappings, text otherwise."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


# ------------------------------------------------------------------------------------------------ text matching


@dataclass(frozen=True)
class TextExpectation:
    """equals / contains / matches (a regular expression searched in the text)."""

    kind: str
    value: str

    @classmethod
    def parse(cls, key: str, options: Any) -> TextExpectation:
        if isinstance(options, str):
            return cls("equals", options)
        if not isinstance(options, dict) or len(options) != 1 or next(iter(options)) not in ("equals", "contains",
                                                                                               "matches"):
            raise SpecError(key, "give exactly one of equals, contains or matches")
        kind, value = next(iter(options.items()))
        if kind == "matches":
            try:
                re.compile(str(value))
            except re.error as error:
                raise SpecError(f"{key}.matches", f"not a valid regular expression: {error}") from None
        return cls(kind, str(value))

    def holds(self, text: str) -> bool:
        if self.kind == "equals":
            return text.rstrip("\n") == self.value.rstrip("\n")
        if self.kind == "contains":
            return self.value in text
        return re.search(self.value, text, re.MULTILINE) is not None

    def describe(self) -> Phrase:
        words = {"equals": _("exactly {value}"), "contains": _("containing {value}"), "matches": _("matching {value}")}
        return phrase(words[self.kind], value=shown(self.value))


# ---------------------------------------------------------------------------------------------------- checks


@dataclass
class Check:
    """Options every check has. Subclasses add their own and implement `judge` (and `needs` when they need facts
    beyond the build and the image)."""

    id: str
    points: int = 1
    required: bool = True
    hint: dict | None = None  # {"after": N failed attempts, "en": ..., "zh-hans": ...}

    def needs(self) -> list[Need]:
        return []

    def judge(self, facts: Facts) -> Verdict:
        raise NotImplementedError


@dataclass
class BuildSucceeds(Check):
    def judge(self, facts: Facts) -> Verdict:
        if facts.build.outcome.ok:
            return ok(_("The image builds."))
        return Verdict(False, facts.build.outcome.text())


@dataclass
class ConfigCheck(Check):
    field: str = ""
    mode: str = "equals"  # or "contains"
    value: Any = None

    def judge(self, facts: Facts) -> Verdict:
        found = getattr(facts.image, CONFIG_FIELDS[self.field])
        if isinstance(found, tuple):
            found = list(found)
        if self.mode == "equals":
            good = _same(found, self.value)
            expected: str | Phrase = shown(self.value)
        else:
            good = _contains(found, self.value)
            expected = phrase(_("to contain {value}"), value=shown(self.value))
        if good:
            return ok(_("{field} is {found}."), field=self.field, found=shown(found))
        return failed(_("{field} is {found}; expected {expected}."), field=self.field, found=shown(found),
                      expected=expected)


def _same(found: Any, wanted: Any) -> bool:
    """Equality as an author means it: unset equals empty, and `USER 1000` equals the number 1000."""
    if found in ("", None, [], {}) and wanted in ("", None, [], {}):
        return True
    if isinstance(found, str) and isinstance(wanted, (int, float)) and not isinstance(wanted, bool):
        return found == str(wanted)
    return found == wanted


def _contains(found: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(found, dict) and all(str(found.get(k)) == str(v) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(found, list) and all(item in found for item in wanted)
    return found is not None and str(wanted) in (found if isinstance(found, (str, list)) else str(found))


def is_shell_form(argv: list[str] | None) -> bool:
    return bool(argv) and len(argv) >= 3 and argv[0] in ("/bin/sh", "sh") and argv[1] == "-c"


@dataclass
class FormCheck(Check):
    field: str = "Cmd"
    form: str = "exec"

    def judge(self, facts: Facts) -> Verdict:
        argv = getattr(facts.image, CONFIG_FIELDS[self.field])
        name = self.field.upper()
        if not argv:
            return failed(_("There is no {name}; expected one in {form} form."), name=name, form=self.form)
        if inherited_from_base(facts, self.field):
            return failed(_("There is no {name} of your own: {argv} is the base image's; write one in {form} "
                            "form."), name=name, argv=shown(argv), form=self.form)
        found = "shell" if is_shell_form(argv) else "exec"
        if found == self.form:
            return ok(_("{name} is in {found} form: {argv}."), name=name, found=found, argv=shown(argv))
        return failed(_("{name} is in {found} form: {argv}; expected {form} form."), name=name, found=found,
                      argv=shown(argv), form=self.form)


def inherited_from_base(facts: Facts, field: str) -> bool:
    """The image's `field` is the base image's, left as it was: no instruction of the final stage (or of the
    stages it is built on) sets it. A learner's own value may equal the base's, so the Dockerfile decides."""
    attribute = CONFIG_FIELDS[field]
    if facts.base is None or facts.dockerfile is None:
        return False
    if getattr(facts.base, attribute) != getattr(facts.image, attribute):
        return False
    keyword = field.upper()
    return not any(instruction.keyword == keyword for stage in final_stage_chain(facts.dockerfile)
                   for instruction in stage.instructions)


def final_stage_chain(dockerfile: Dockerfile) -> list:
    """The final stage and the stages it is built FROM, in turn: the ones whose settings the image keeps."""
    stages = {stage.name.lower(): stage for stage in dockerfile.stages if stage.name}
    chain = [dockerfile.stages[-1]] if dockerfile.stages else []
    while chain and chain[-1].base.lower() in stages and stages[chain[-1].base.lower()] not in chain:
        chain.append(stages[chain[-1].base.lower()])
    return chain


@dataclass
class LayersCheck(Check):
    min_added: int | None = None
    max_added: int | None = None

    def judge(self, facts: Facts) -> Verdict:
        base = len(facts.base.layers) if facts.base else 0
        added = len(facts.image.layers) - base
        bounds = _bounds(self.min_added, self.max_added)
        if _within(added, self.min_added, self.max_added):
            return ok(_("{added} filesystem layer(s) on top of the base ({bounds})."), added=added, bounds=bounds)
        return failed(_("{added} filesystem layer(s) on top of the base; expected {bounds}."), added=added,
                      bounds=bounds)


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _bounds(low, high) -> Phrase:
    if low is not None and high is not None:
        return phrase(_("between {low} and {high}"), low=low, high=high)
    if high is not None:
        return phrase(_("at most {high}"), high=high)
    return phrase(_("at least {low}"), low=low)


@dataclass
class SizeCheck(Check):
    max_mb: float | None = None
    max_over_base_mb: float | None = None

    def judge(self, facts: Facts) -> Verdict:
        size = facts.image.size / MB
        over = size - (facts.base.size / MB if facts.base else 0)
        if self.max_mb is not None and size > self.max_mb:
            return failed(_("The image is {size:.1f} MB; expected at most {limit:g} MB."), size=size, limit=self.max_mb)
        if self.max_over_base_mb is not None and over > self.max_over_base_mb:
            return failed(_("The image is {over:.1f} MB larger than its base; expected at most {limit:g} MB more."),
                          over=over, limit=self.max_over_base_mb)
        return ok(_("The image is {size:.1f} MB ({over:+.1f} MB over its base)."), size=size, over=over)


@dataclass
class FileCheck(Check):
    path: str = ""
    exists: bool = True
    content: TextExpectation | None = None

    def needs(self) -> list[Need]:
        return [Need("paths", self.path)]

    def judge(self, facts: Facts) -> Verdict:
        found = facts.paths[self.path]
        if not found.exists:
            if self.exists:
                return failed(_("{path} is not in the image; expected it to be there."), path=self.path)
            return ok(_("{path} is not in the image."), path=self.path)
        if not self.exists:
            return failed(_("{path} is in the image; expected it not to be."), path=self.path)
        if self.content is None:
            return ok(_("{path} is in the image."), path=self.path)
        text = (found.content or b"").decode("utf-8", errors="replace")
        expected = self.content.describe()
        if self.content.holds(text):
            return ok(_("{path} holds text {expected}."), path=self.path, expected=expected)
        return failed(_("{path} holds {found}; expected text {expected}."), path=self.path,
                      found=shown(_clip(text)), expected=expected)


def _clip(text: str, limit: int = 200) -> str:
    """Output shown in a message: without its final newline, and not too long."""
    text = text.removesuffix("\n")
    return text if len(text) <= limit else text[:limit] + "…"


@dataclass
class NoLayerFileCheck(Check):
    patterns: list[str] = field(default_factory=list)
    larger_than_mb: float | None = None

    def needs(self) -> list[Need]:
        return [Need("layers")]

    def judge(self, facts: Facts) -> Verdict:
        offenders = [
            (layer, entry) for layer in facts.learner_layers() for entry in layer.entries
            if not entry.whiteout and self._offends(entry.path, entry.size)
        ]
        if not offenders:
            return ok(_("No layer you added carries such a file."))
        layer, entry = offenders[0]
        step = _clip(layer.created_by.replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN "), 80)
        if self._deleted_after(facts.learner_layers(), layer, entry.path):
            return failed(_("/{path} ({size:.1f} MB) is stored in the layer made by {step}; deleting it in a later "
                            "step does not remove it from that layer."), path=entry.path, size=entry.size / MB,
                          step=step)
        return failed(_("/{path} ({size:.1f} MB) is stored in the layer made by {step}, and the image keeps it."),
                      path=entry.path, size=entry.size / MB, step=step)

    @staticmethod
    def _deleted_after(layers: list, layer, path: str) -> bool:
        """A later layer records the deletion of `path`: the file is gone from the container, not from the image."""
        later = layers[layers.index(layer) + 1:]
        return any(entry.whiteout and entry.path == path for other in later for entry in other.entries)

    def _offends(self, path: str, size: int) -> bool:
        big = self.larger_than_mb is not None and size > self.larger_than_mb * MB
        named = any(fnmatch.fnmatch(path, p.lstrip("/")) or fnmatch.fnmatch(path.rsplit("/", 1)[-1], p)
                    for p in self.patterns)
        return big or named


@dataclass
class NoToolchainCheck(Check):
    toolchain: str = "go"

    def needs(self) -> list[Need]:
        return [Need("paths", path) for path in TOOLCHAINS[self.toolchain]["paths"]] + [Need("layers")]

    def judge(self, facts: Facts) -> Verdict:
        present = [p for p in TOOLCHAINS[self.toolchain]["paths"] if facts.paths[p].exists]
        if present:
            return failed(_("The final image still has the {toolchain} toolchain ({path}); build in one stage and "
                            "copy only the result into the final one."), toolchain=self.toolchain, path=present[0])
        sources = NoLayerFileCheck(self.id, patterns=TOOLCHAINS[self.toolchain]["patterns"]).judge(facts)
        if not sources.passed:
            return failed(_("The final image carries source files: {reason}"), reason=Picked(sources.message))
        return ok(_("No {toolchain} toolchain and no sources in the final image."), toolchain=self.toolchain)


# What the other stream printed, when a run's output is not what was expected.
ALSO_PRINTED = {"stdout": _(" (and on stdout: {text})"), "stderr": _(" (and on stderr: {text})")}


@dataclass
class StartsContainer(Check):
    """A check that starts the image: with `args` replacing its CMD, and `env` added to its environment."""

    args: list[str] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def key(self) -> tuple:
        return (tuple(self.args) if self.args is not None else None, tuple(sorted(self.env.items())))


@dataclass
class RunCheck(StartsContainer):
    stdout: TextExpectation | None = None
    stderr: TextExpectation | None = None
    exit_code: int | None = None

    def needs(self) -> list[Need]:
        return [Need("run", self.key(), self)]

    def judge(self, facts: Facts) -> Verdict:
        result = facts.runs[self.key()]
        command = "docker run <image>" + "".join(f" {arg}" for arg in self.args or [])
        if not result.outcome.ok:
            return failed(_("`{command}`: {reason}"), command=command, reason=Picked(result.outcome.text()))
        for stream, expectation in (("stdout", self.stdout), ("stderr", self.stderr)):
            text = getattr(result, stream)
            if expectation and not expectation.holds(text):
                other_stream = "stderr" if stream == "stdout" else "stdout"
                other = getattr(result, other_stream)
                also = phrase(ALSO_PRINTED[other_stream], text=shown(_clip(other))) if other else ""
                return failed(_("`{command}` printed {text} on {stream}{also}; expected {stream} {expected}."),
                              command=command, text=shown(_clip(text)), stream=stream, also=also,
                              expected=expectation.describe())
        if self.exit_code is not None and result.exit_code != self.exit_code:
            return failed(_("`{command}` exited with code {code}; expected {expected}."), command=command,
                          code=result.exit_code, expected=self.exit_code)
        return ok(_("`{command}` printed {text}."), command=command, text=shown(_clip(result.stdout)))


# Why a container could not show how it takes a signal or what its PID 1 is, before anything else is judged.
NOT_RUNNING = _("The container exited by itself before {when}, so it cannot show {what}; it printed {output}. It "
                "must keep running until it is stopped.")
NEVER_READY = _("The container never printed {ready} while it ran; it printed {output}.")


def _not_up(result: StopResult | ProcessResult, ready: str | None, when: Phrase, what: Phrase) -> Verdict | None:
    """The failure of a container that refused to start, exited by itself, or never said it was ready."""
    if result.start_error is not None:
        return Verdict(False, result.start_error.text())
    if result.exited_early:
        return failed(NOT_RUNNING, when=when, what=what, output=shown(_clip(result.output)))
    if not result.ready_seen:
        return failed(NEVER_READY, ready=shown(ready), output=shown(_clip(result.output)))
    return None


@dataclass
class StopCheck(Check):
    args: list[str] | None = None
    within_s: float = 2.0
    prints: str | None = None
    ready: str | None = None
    exit_code: int = 0

    def key(self) -> tuple:
        return (tuple(self.args) if self.args is not None else None, self.ready)

    @property
    def grace(self) -> float:
        """How long `docker stop` waits before SIGKILL: long enough to see a slow stop, no longer."""
        return self.within_s + 2

    def needs(self) -> list[Need]:
        return [Need("stop", self.key(), self)]

    def judge(self, facts: Facts) -> Verdict:
        result = facts.stops[self.key()]
        early = _not_up(result, self.ready, phrase(_("`docker stop` was sent")),
                        phrase(_("that it handles SIGTERM")))
        if early is not None:
            return early
        if result.seconds > self.within_s:
            how = phrase(_(" and was killed after the grace period")) if result.killed else ""
            return failed(_("`docker stop` took {seconds:.1f} s{how}; expected at most {limit:g} s. Is your process "
                            "PID 1, and does it get SIGTERM?"), seconds=result.seconds, how=how, limit=self.within_s)
        if result.exit_code != self.exit_code:
            return failed(_("The container stopped in {seconds:.1f} s but exited with code {code}; expected "
                            "{expected}. 143 means SIGTERM ended it without a handler."), seconds=result.seconds,
                          code=result.exit_code, expected=self.exit_code)
        if self.prints and self.prints not in result.output:
            return failed(_("The container stopped in {seconds:.1f} s but did not print {wanted}; it printed "
                            "{output}."), seconds=result.seconds, wanted=shown(self.prints),
                          output=shown(_clip(result.output)))
        return ok(_("`docker stop` took {seconds:.2f} s."), seconds=result.seconds)


@dataclass
class ProcessCheck(StartsContainer):
    ready: str | None = None
    executable: TextExpectation | None = None
    argv: TextExpectation | None = None

    def key(self) -> tuple:
        return (*super().key(), self.ready)

    def needs(self) -> list[Need]:
        return [Need("process", self.key(), self)]

    def judge(self, facts: Facts) -> Verdict:
        result = facts.processes[self.key()]
        early = _not_up(result, self.ready, phrase(_("its main process was read")), phrase(_("what runs as PID 1")))
        if early is not None:
            return early
        argv = " ".join(result.argv)
        found = phrase(_("PID 1 is {executable} running {argv}"), executable=shown(_clip(result.executable or "?")),
                       argv=shown(_clip(argv)))
        if self.executable and not self.executable.holds(result.executable):
            return failed(_("{found}; expected its executable {expected}."), found=found,
                          expected=self.executable.describe())
        if self.argv and not self.argv.holds(argv):
            return failed(_("{found}; expected its command line {expected}."), found=found,
                          expected=self.argv.describe())
        return ok(_("{found}."), found=found)


# A step that did the opposite of what the exercise expects, by whether it was expected from the cache.
CACHE_SURPRISES = {
    True: _("After changing {changed}, step {step} ({instruction}) ran again; expected it from the cache. Copy only "
            "what it needs before it, and the rest after it."),
    False: _("After changing {changed}, step {step} ({instruction}) came from the cache; expected it to run again "
             "with the new file."),
}


IMAGE_SURPRISES = {
    "changed": _("After changing {changed}, the rebuild made the same image as before; expected a new one, since the "
                 "image uses that file."),
    "same": _("After changing {changed}, the rebuild made a different image; expected the same one, since the image "
              "does not use that file."),
}


@dataclass
class CacheCheck(Check):
    change: dict[str, str] = field(default_factory=dict)
    cached: list[str] = field(default_factory=list)  # regular expressions over step instructions
    rebuilt: list[str] = field(default_factory=list)
    image: str | None = None  # "changed" or "same"
    run: RunCheck | None = None  # what the rebuilt image must do when run

    def key(self) -> str:
        return json.dumps(self.change, sort_keys=True)

    def needs(self) -> list[Need]:
        rebuild = [Need("rebuild", self.key(), self.change)]
        return rebuild + ([Need("rebuild_run", self.key(), self.run)] if self.run else [])

    def judge(self, facts: Facts) -> Verdict:
        rebuild = facts.rebuilds[self.key()]
        changed = ", ".join(self.change)
        if not rebuild.outcome.ok:
            return failed(_("After changing {changed}, the build failed: {reason}"), changed=changed,
                          reason=Picked(rebuild.outcome.text()))
        for judge in (self._steps, self._image, self._run):
            verdict = judge(facts, rebuild, changed)
            if verdict is not None:
                return verdict
        if not self.image and not self.run:
            return ok(_("After changing {changed}, the cache was used as expected."), changed=changed)
        if not self.cached and not self.rebuilt:
            return ok(_("After changing {changed}, the rebuilt image followed the change."), changed=changed)
        return ok(_("After changing {changed}, the cache was used as expected and the rebuilt image followed the "
                    "change."), changed=changed)

    def _steps(self, facts: Facts, rebuild: BuildResult, changed: str) -> Verdict | None:
        for pattern, want_cached in [(p, True) for p in self.cached] + [(p, False) for p in self.rebuilt]:
            steps = [step for step in rebuild.steps if re.search(pattern, step.instruction)]
            if not steps:
                return failed(_("No step matches {pattern}."), pattern=shown(pattern))
            wrong = [step for step in steps if step.cached != want_cached]
            if wrong:
                step = wrong[0]
                message = CACHE_SURPRISES[want_cached]
                return failed(message, changed=changed, step=step.number, instruction=_clip(step.instruction, 60))
        return None

    def _image(self, facts: Facts, rebuild: BuildResult, changed: str) -> Verdict | None:
        """The image the Dockerfile's own last step made, in both builds (the sandbox's label comes after it)."""
        if self.image is None:
            return None
        same = facts.build.steps[-1].image == rebuild.steps[-1].image
        if same != (self.image == "same"):
            return failed(IMAGE_SURPRISES[self.image], changed=changed)
        return None

    def _run(self, facts: Facts, rebuild: BuildResult, changed: str) -> Verdict | None:
        if self.run is None:
            return None
        verdict = self.run.judge(replace(facts, runs=facts.rebuild_runs[self.key()]))
        if verdict.passed:
            return None
        return failed(_("After changing {changed}, the rebuilt image did not follow: {reason}"), changed=changed,
                      reason=Picked(verdict.message))


@dataclass
class LayerCheck(Check):
    """Which step wrote a file of the final image, judged from the image each build step ended with."""

    path: str = ""
    created_by: TextExpectation | None = None
    from_stage: dict[str, Any] | None = None  # {"stage": name or number, "path": ..., "created_by": expectation}

    def needs(self) -> list[Need]:
        paths = [self.path] + ([self.from_stage["path"]] if self.from_stage else [])
        return [Need("step_paths", path) for path in paths]

    def judge(self, facts: Facts) -> Verdict:
        if not facts.build.steps:
            return failed(_("Which step wrote {path} is known only for an image built here, not for one pulled from "
                            "the registry."), path=self.path)
        stages = _stage_steps(facts.build.steps)
        writer = _writer(facts, stages[-1], self.path)
        if isinstance(writer, Verdict):
            return writer
        if self.created_by and not self.created_by.holds(writer.instruction):
            return failed(_("{path} was written by step {step} ({instruction}); expected a step {expected}."),
                          path=self.path, step=writer.number, instruction=_clip(writer.instruction, 80),
                          expected=self.created_by.describe())
        if self.from_stage:
            verdict = self._from_stage(facts, stages, writer)
            if verdict is not None:
                return verdict
        return ok(_("{path} was written by step {step} ({instruction})."), path=self.path, step=writer.number,
                  instruction=_clip(writer.instruction, 80))

    def _from_stage(self, facts: Facts, stages: list[list[StepRecord]], copy: StepRecord) -> Verdict | None:
        stage, path = self.from_stage["stage"], self.from_stage["path"]
        index = _stage_index(facts, stage, len(stages) - 1)
        if index is None:
            return failed(_("There is no earlier stage {stage}, where {path} should be made."), stage=shown(stage),
                          path=path)
        if not _copies_from(facts.dockerfile, copy, index):
            return failed(_("{path} was written by step {step} ({instruction}), not copied from stage {stage} with "
                            "COPY --from."), path=self.path, step=copy.number, instruction=_clip(copy.instruction, 80),
                          stage=shown(stage))
        writer = _writer(facts, stages[index], path)
        if isinstance(writer, Verdict):
            return failed(_("In stage {stage}: {reason}"), stage=shown(stage), reason=Picked(writer.message))
        expected = self.from_stage.get("created_by")
        if expected and not expected.holds(writer.instruction):
            return failed(_("In stage {stage}, {path} was written by step {step} ({instruction}); expected a step "
                            "{expected}."), stage=shown(stage), path=path, step=writer.number,
                          instruction=_clip(writer.instruction, 80), expected=expected.describe())
        if _path_after(facts, copy, self.path).digest != _path_after(facts, stages[index][-1], path).digest:
            return failed(_("{path} in the final image is not the file {stage_path} that stage {stage} made: their "
                            "contents differ."), path=self.path, stage_path=path, stage=shown(stage))
        return None


def _stage_steps(steps: tuple[StepRecord, ...]) -> list[list[StepRecord]]:
    """The build's steps cut into stages, each starting with its FROM step."""
    stages: list[list[StepRecord]] = []
    for step in steps:
        if step.instruction.startswith("FROM ") or not stages:
            stages.append([])
        stages[-1].append(step)
    return stages


def _copies_from(dockerfile: Dockerfile, step: StepRecord, index: int) -> bool:
    """Whether `step` is a COPY --from the stage `index`, named by its number or its AS name."""
    instruction = dockerfile.instruction_at_step(step.number)
    source = str((instruction.flags or {}).get("from", "")).lower() if instruction else ""
    return instruction is not None and instruction.keyword == "COPY" and source in {
        str(index), str(dockerfile.stages[index].name or index).lower()}


def _stage_index(facts: Facts, stage: Any, final: int) -> int | None:
    names = [s.name for s in facts.dockerfile.stages]
    if isinstance(stage, int):
        return stage if 0 <= stage < final else None
    return names.index(str(stage).lower()) if str(stage).lower() in names[:final] else None


def _path_after(facts: Facts, step: StepRecord, path: str) -> PathFact:
    """`path` as `step` left it; `FROM scratch` has no image and holds nothing."""
    return facts.step_paths[step.image][path] if step.image else PathFact(path, exists=False)


def _writer(facts: Facts, stage: list[StepRecord], path: str) -> StepRecord | Verdict:
    """The last step of `stage` after which `path` (its bytes and mode) differs from what the step before left."""
    def seen(step: StepRecord) -> tuple:
        fact = _path_after(facts, step, path)
        return fact.exists, fact.is_dir, fact.digest, fact.mode

    final = _path_after(facts, stage[-1], path)
    if not final.exists or final.is_dir:
        return failed(_("{path} is not a file of the image; expected one there."), path=path)
    writers = [step for before, step in zip(stage, stage[1:], strict=False) if seen(step) != seen(before)]
    if not writers:
        return failed(_("{path} comes from the base image ({base}); expected a step of yours to write it."),
                      path=path, base=stage[0].instruction.removeprefix("FROM ").split(" ")[0])
    return writers[-1]


@dataclass
class StagesCheck(Check):
    min: int | None = None
    max: int | None = None

    def judge(self, facts: Facts) -> Verdict:
        count = len(facts.dockerfile.stages)
        if _within(count, self.min, self.max):
            return ok(_("The Dockerfile has {count} stage(s)."), count=count)
        return failed(_("The Dockerfile has {count} stage(s); expected {bounds}."), count=count,
                      bounds=_bounds(self.min, self.max))


@dataclass
class HadolintCheck(Check):
    rule: str = ""

    def judge(self, facts: Facts) -> Verdict:
        hits = [finding for finding in facts.lint if finding.code == self.rule]
        if not hits:
            return ok(_("No {rule} advice."), rule=self.rule)
        hit = hits[0]
        return failed(_("Line {line}: {rule} {advice}"), line=hit.line, rule=self.rule, advice=hit.message)


REGISTRY_CONFIG_FIELDS = ("Cmd", "Entrypoint", "Labels", "Env", "WorkingDir", "User")


@dataclass
class RegistryCheck(Check):
    """Judged from what the course registry holds under the learner's namespace, not from a build."""

    repository: str = ""
    tag: str = ""
    same_digest_as: str | None = None
    config: dict[str, Any] = field(default_factory=dict)  # equals for Cmd/Entrypoint/..., contains for Labels
    digest_file: str | None = None  # a submission file where the learner reports the tag's digest
    pull: bool = False  # pulling by that digest must work

    def needs(self) -> list[Need]:
        tags = tuple(tag for tag in (self.tag, self.same_digest_as) if tag)
        return [Need("registry", self.repository, tags)] + ([Need("registry_pull", (self.repository, self.tag))]
                                                             if self.pull else [])

    def judge(self, facts: Facts) -> Verdict:
        found = facts.registry[self.repository]
        name = f"{found.name}:{self.tag}"
        digest = found.digests.get(self.tag)
        if digest is None:
            having = ", ".join(found.tags) or "none"
            return failed(_("The course registry has no {name}; the tags of {repository} are: {having}."), name=name,
                          repository=found.name, having=having)
        for judge in (self._same_digest, self._config, self._reported, self._pulled):
            verdict = judge(found, name, digest, facts)
            if verdict is not None:
                return verdict
        return ok(_("{name} is in the course registry as {digest}."), name=name, digest=short_digest(digest))

    def _same_digest(self, found: RepositoryFacts, name: str, digest: str, facts: Facts) -> Verdict | None:
        if self.same_digest_as is None:
            return None
        other = found.digests.get(self.same_digest_as)
        other_name = f"{found.name}:{self.same_digest_as}"
        if other is None:
            return failed(_("The course registry has no {other_name} to compare {name} with."), other_name=other_name,
                          name=name)
        if other != digest:
            return failed(_("{name} is {this} but {other_name} is {that}: they are two different images. Tag one image "
                            "twice, then push both tags."), name=name, this=short_digest(digest),
                          other_name=other_name, that=short_digest(other))
        return None

    def _config(self, found: RepositoryFacts, name: str, digest: str, facts: Facts) -> Verdict | None:
        config = found.configs.get(digest) or {}
        for field_name, wanted in self.config.items():
            value = config.get(field_name)
            good = _contains(value, wanted) if field_name == "Labels" else _same(value, wanted)
            if not good and value in (None, "", [], {}):
                return failed(_("In the registry, {name} has no {field}; expected {wanted}."), name=name,
                              field=field_name, wanted=shown(wanted))
            if not good:
                return failed(_("In the registry, {name} has {field} {value}; expected {wanted}."), name=name,
                              field=field_name, value=shown(value), wanted=shown(wanted))
        return None

    def _reported(self, found: RepositoryFacts, name: str, digest: str, facts: Facts) -> Verdict | None:
        if self.digest_file is None:
            return None
        reported = facts.submitted.get(self.digest_file, b"").decode("utf-8", errors="replace").strip()
        if not DIGEST.match(reported):
            return failed(_("{file} should hold the digest of {name} (sha256: and 64 hex digits); it holds "
                            "{reported}."), file=self.digest_file, name=name, reported=shown(_clip(reported, 80)))
        if reported != digest:
            return failed(_("{file} reports {told}, but {name} is {real}."), file=self.digest_file,
                          told=short_digest(reported), name=name, real=short_digest(digest))
        return None

    def _pulled(self, found: RepositoryFacts, name: str, digest: str, facts: Facts) -> Verdict | None:
        pulled = found.pulls.get(digest)
        if not self.pull or pulled is None or pulled.ok:
            return None
        return failed(_("Pulling {repository}@{digest} failed: {reason}"), repository=found.name,
                      digest=short_digest(digest), reason=Picked(pulled.text()))


# ------------------------------------------------------------------------------------------------------ parsing

CHECK_TYPES: dict[str, tuple[type[Check], Callable[[str, dict], dict], frozenset[str]]] = {}


def check_type(name: str, options: str = "", parse_options: Callable[[str, dict], dict] = lambda key, options: {}):
    """Register a check type under `name`, with the option names (space-separated) it accepts."""
    def register(cls: type[Check]) -> type[Check]:
        CHECK_TYPES[name] = (cls, parse_options, frozenset(options.split()))
        return cls
    return register


def _config_options(key: str, options: dict) -> dict:
    field_name = options.get("field")
    if field_name not in CONFIG_FIELDS:
        raise SpecError(f"{key}.field", f"one of {', '.join(CONFIG_FIELDS)}")
    if ("equals" in options) == ("contains" in options):
        raise SpecError(key, "give exactly one of equals or contains")
    mode = "equals" if "equals" in options else "contains"
    return {"field": field_name, "mode": mode, "value": options[mode]}


def _form_options(key: str, options: dict) -> dict:
    if options.get("field", "Cmd") not in ("Cmd", "Entrypoint"):
        raise SpecError(f"{key}.field", "Cmd or Entrypoint")
    if options.get("form") not in ("exec", "shell"):
        raise SpecError(f"{key}.form", "exec or shell")
    return {"field": options.get("field", "Cmd"), "form": options["form"]}


def _numbers(*names: str, required: int = 1) -> Callable[[str, dict], dict]:
    def parse(key: str, options: dict) -> dict:
        values = {name: options.get(name) for name in names}
        for name, value in values.items():
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
                raise SpecError(f"{key}.{name}", "a number, 0 or more")
        if sum(value is not None for value in values.values()) < required:
            raise SpecError(key, f"give {' or '.join(names)}")
        return values
    return parse


def _file_options(key: str, options: dict) -> dict:
    path = options.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise SpecError(f"{key}.path", "an absolute path in the image, e.g. /app/app.py")
    content = options.get("content")
    return {"path": path, "exists": bool(options.get("exists", True)),
            "content": TextExpectation.parse(f"{key}.content", content) if content is not None else None}


def _layer_file_options(key: str, options: dict) -> dict:
    patterns = options.get("patterns", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise SpecError(f"{key}.patterns", "a list of glob patterns, e.g. ['*.tmp', 'tmp/big']")
    _numbers("larger_than_mb", required=0)(key, options)
    if not patterns and options.get("larger_than_mb") is None:
        raise SpecError(key, "give patterns or larger_than_mb")
    return {"patterns": patterns, "larger_than_mb": options.get("larger_than_mb")}


def _args(key: str, options: dict) -> list[str] | None:
    args = options.get("args")
    if args is not None and (not isinstance(args, list) or not all(isinstance(a, str) for a in args)):
        raise SpecError(f"{key}.args", "a list of strings, e.g. [Alice]")
    return args


def _env(key: str, options: dict) -> dict[str, str]:
    env = options.get("env", {})
    if not isinstance(env, dict):
        raise SpecError(f"{key}.env", "a mapping of names to values")
    return {str(k): str(v) for k, v in env.items()}


def _run_options(key: str, options: dict) -> dict:
    parsed = {"args": _args(key, options), "env": _env(key, options),
              "exit_code": options.get("exit_code")}
    for stream in ("stdout", "stderr"):
        if stream in options:
            parsed[stream] = TextExpectation.parse(f"{key}.{stream}", options[stream])
    if not any(name in options for name in ("stdout", "stderr", "exit_code")):
        raise SpecError(key, "give stdout, stderr or exit_code")
    return parsed


def _ready(key: str, options: dict) -> str | None:
    ready = options.get("ready")
    if ready is not None and (not isinstance(ready, str) or not ready):
        raise SpecError(f"{key}.ready", "the text the container prints once it is up, e.g. listening")
    return ready


def _stop_options(key: str, options: dict) -> dict:
    _numbers("within_s")(key, options)
    prints = options.get("prints")
    if prints is not None and (not isinstance(prints, str) or not prints):
        raise SpecError(f"{key}.prints", "the text the container must print when it stops, e.g. bye")
    exit_code = options.get("exit_code", 0)
    if not isinstance(exit_code, int) or isinstance(exit_code, bool):
        raise SpecError(f"{key}.exit_code", "the status it must exit with on SIGTERM, e.g. 0")
    return {"args": _args(key, options), "within_s": options["within_s"], "prints": prints,
            "ready": _ready(key, options), "exit_code": exit_code}


def _process_options(key: str, options: dict) -> dict:
    parsed = {name: TextExpectation.parse(f"{key}.{name}", options[name])
              for name in ("executable", "argv") if name in options}
    if not parsed:
        raise SpecError(key, "give executable or argv")
    return {**parsed, "args": _args(key, options), "env": _env(key, options), "ready": _ready(key, options)}


def _cache_options(key: str, options: dict) -> dict:
    change = options.get("change")
    if not isinstance(change, dict) or not change:
        raise SpecError(f"{key}.change", "a mapping of context files to their new content")
    patterns = {name: options.get(name, []) for name in ("cached", "rebuilt")}
    for name, values in patterns.items():
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise SpecError(f"{key}.{name}", "a list of regular expressions over step instructions")
        for value in values:
            try:
                re.compile(value)
            except (re.error, TypeError):
                raise SpecError(f"{key}.{name}", f"{value!r} is not a regular expression") from None
    if options.get("image") not in (None, "changed", "same"):
        raise SpecError(f"{key}.image", "changed or same")
    run = options.get("run")
    if run is not None:
        run = _nested_run(f"{key}.run", run)
    if not patterns["cached"] and not patterns["rebuilt"] and options.get("image") is None and run is None:
        raise SpecError(key, "give cached, rebuilt, image or run")
    return {"change": {str(k): str(v) for k, v in change.items()}, **patterns, "image": options.get("image"),
            "run": run}


RUN_OPTIONS = "args env stdout stderr exit_code"


def _nested_run(key: str, options: Any) -> RunCheck:
    if not isinstance(options, dict):
        raise SpecError(key, f"a mapping of run options ({RUN_OPTIONS})")
    unknown = sorted(set(options) - set(RUN_OPTIONS.split()))
    if unknown:
        raise SpecError(f"{key}.{unknown[0]}", f"not an option of run ({RUN_OPTIONS})")
    return RunCheck(id="run", **_run_options(key, options))


def _layer_options(key: str, options: dict) -> dict:
    path = _file_options(key, {"path": options.get("path")})["path"]
    created_by = options.get("created_by")
    parsed = {"path": path, "created_by": TextExpectation.parse(f"{key}.created_by", created_by)
              if created_by is not None else None, "from_stage": None}
    stage = options.get("from_stage")
    if stage is not None:
        parsed["from_stage"] = _from_stage(f"{key}.from_stage", stage, path)
    if created_by is None and stage is None:
        raise SpecError(key, "give created_by or from_stage")
    return parsed


def _from_stage(key: str, options: Any, path: str) -> dict:
    if not isinstance(options, dict) or set(options) - {"stage", "path", "created_by"}:
        raise SpecError(key, "a mapping of stage, path and created_by")
    stage = options.get("stage")
    if not isinstance(stage, (str, int)) or isinstance(stage, bool) or stage == "":
        raise SpecError(f"{key}.stage", "an earlier stage, by its AS name or its number from 0")
    stage_path = _file_options(key, {"path": options.get("path", path)})["path"]
    created_by = options.get("created_by")
    return {"stage": stage, "path": stage_path,
            "created_by": TextExpectation.parse(f"{key}.created_by", created_by) if created_by is not None else None}


def _toolchain_options(key: str, options: dict) -> dict:
    if options.get("toolchain", "go") not in TOOLCHAINS:
        raise SpecError(f"{key}.toolchain", f"one of {', '.join(TOOLCHAINS)}")
    return {"toolchain": options.get("toolchain", "go")}


def _hadolint_options(key: str, options: dict) -> dict:
    if not re.fullmatch(r"(DL|SC)\d{4}", str(options.get("rule", ""))):
        raise SpecError(f"{key}.rule", "a hadolint rule code, e.g. DL3025")
    return {"rule": options["rule"]}


def _registry_options(key: str, options: dict) -> dict:
    if not RELATIVE_REPOSITORY.match(str(options.get("repository", ""))):
        raise SpecError(f"{key}.repository", "a repository under the learner's namespace, e.g. hello")
    for name in ("tag", "same_digest_as"):
        if (name == "tag" or name in options) and not TAG.match(str(options.get(name, ""))):
            raise SpecError(f"{key}.{name}", "a tag, e.g. '1.0' (quote it so YAML keeps it text)")
    config = options.get("config", {})
    if not isinstance(config, dict) or set(config) - set(REGISTRY_CONFIG_FIELDS):
        raise SpecError(f"{key}.config", f"a mapping of {', '.join(REGISTRY_CONFIG_FIELDS)} to the values expected")
    digest_file = options.get("digest_file")
    if digest_file is not None and (not isinstance(digest_file, str) or digest_file.startswith("/")):
        raise SpecError(f"{key}.digest_file", "a file of the submission, e.g. digest.txt")
    return {"repository": options["repository"], "tag": str(options["tag"]),
            "same_digest_as": str(options["same_digest_as"]) if "same_digest_as" in options else None,
            "config": config, "digest_file": digest_file, "pull": bool(options.get("pull", False))}


check_type("build")(BuildSucceeds)
check_type("config", "field equals contains", _config_options)(ConfigCheck)
check_type("form", "field form", _form_options)(FormCheck)
check_type("layers", "min_added max_added", _numbers("min_added", "max_added"))(LayersCheck)
check_type("size", "max_mb max_over_base_mb", _numbers("max_mb", "max_over_base_mb"))(SizeCheck)
check_type("file", "path exists content", _file_options)(FileCheck)
check_type("no_layer_file", "patterns larger_than_mb", _layer_file_options)(NoLayerFileCheck)
check_type("no_toolchain", "toolchain", _toolchain_options)(NoToolchainCheck)
check_type("run", "args env stdout stderr exit_code", _run_options)(RunCheck)
check_type("stop", "args within_s prints ready exit_code", _stop_options)(StopCheck)
check_type("process", "args env ready executable argv", _process_options)(ProcessCheck)
check_type("cache", "change cached rebuilt image run", _cache_options)(CacheCheck)
check_type("layer", "path created_by from_stage", _layer_options)(LayerCheck)
check_type("stages", "min max", _numbers("min", "max"))(StagesCheck)
check_type("hadolint", "rule", _hadolint_options)(HadolintCheck)
check_type("registry", "repository tag same_digest_as config digest_file pull", _registry_options)(RegistryCheck)

COMMON_OPTIONS = {"id", "type", "points", "required", "hint"}


def parse_check(key: str, options: Any) -> Check:
    """A check from its YAML mapping; SpecError names the key of anything wrong."""
    if not isinstance(options, dict):
        raise SpecError(key, "each check is a mapping with at least id and type")
    check_id, kind = options.get("id"), options.get("type")
    if not isinstance(check_id, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", check_id):
        raise SpecError(f"{key}.id", "a short lower-case id, e.g. cmd-exec-form")
    if kind not in CHECK_TYPES:
        raise SpecError(f"{key}.type", f"one of {', '.join(CHECK_TYPES)}")
    points = options.get("points", 1)
    if not isinstance(points, int) or isinstance(points, bool) or points < 0:
        raise SpecError(f"{key}.points", "a whole number, 0 or more")
    cls, parse_options, allowed = CHECK_TYPES[kind]
    unknown = sorted(set(options) - COMMON_OPTIONS - allowed)
    if unknown:
        raise SpecError(f"{key}.{unknown[0]}", f"not an option of {kind} checks ({', '.join(sorted(allowed))})")
    return cls(id=check_id, points=points, required=bool(options.get("required", True)),
               hint=_hint(f"{key}.hint", options.get("hint")), **parse_options(key, options))


def _hint(key: str, hint: Any) -> dict | None:
    if hint is None:
        return None
    if not isinstance(hint, dict) or not all(str(hint.get(lang) or "").strip() for lang in ("en", "zh-hans")):
        raise SpecError(key, "a mapping with en and zh-hans text (and optionally after: N failed attempts)")
    after = hint.get("after", 0)
    if not isinstance(after, int) or after < 0:
        raise SpecError(f"{key}.after", "a whole number of failed attempts")
    return {"after": after, "en": hint["en"], "zh-hans": hint["zh-hans"]}
