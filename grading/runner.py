"""Grading a submission: build it, gather the facts its checks need, judge every check.

`grade_stream` yields what a live page shows (build progress, run output, each check's result) and ends with a
GradeReport; `grade` returns just the report. The same code path serves the website and `manage.py grade`.
"""
from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import requests
from django.utils.translation import gettext_lazy as _

from engine.dockerfile import Dockerfile, parse
from engine.engine import Engine, EngineUnavailable, progress, start_advice
from engine.facts import Advice, BuildResult, LayerListing, Phase, RepositoryFacts, TransferResult
from engine.limits import SandboxLimits
from engine.outcomes import INFRASTRUCTURE_FAILURES, Outcome, OutcomeKind
from grading.checks import BuildSucceeds, Check, Facts, HadolintCheck, Need, Verdict, failed, final_stage_chain
from grading.lint import lint_dockerfile

LAYER_MAKERS = {"RUN", "COPY", "ADD"}  # the instructions that add a filesystem layer (the rest change the config)
CHECKING = Phase("check")  # between the engine's work: inspecting the image, measuring a stop, judging the checks
NOT_CHECKED = _("Not checked: the image did not build.")
NOT_PULLED = _("Not checked: the image could not be pulled from the course registry.")


class LearnersRegistry(Protocol):
    """What grading reads of the course registry for the learner whose work it grades. Whoever grades hands it in
    (registry.registry.LearnerRegistry), so grading never imports the registry app."""

    namespace: str

    def reference(self, repository: str, tag_or_digest: str) -> str:
        """`<registry>/<namespace>/<repository>:<tag>`, or `@<digest>`."""

    def credentials(self) -> tuple[str, str]:
        """What the engine pulls with: the learner's rights, no more."""

    def client(self) -> Any:
        """A client of the registry's API: `digest(name, tag)`, `tags(name)`, `image_config(name, digest)`."""


class RegistryUnavailable(Exception):
    """The course registry did not answer the grader's questions."""


@dataclass(frozen=True)
class GradingSpec:
    """What grading needs to know about an exercise."""

    exercise: str
    bases: list[str]
    checks: list[Check]
    limits: dict[str, Any] = field(default_factory=dict)  # caps on SandboxLimits fields (see limits_on)
    run_as_root: bool = False
    # The image under test is not built from the submission: it is (repository, tag) of the learner's namespace
    # in the course registry, pulled by its digest.
    published: tuple[str, str] | None = None

    def limits_on(self, engine: Engine) -> SandboxLimits:
        """The engine's limits, tightened where the exercise asks for less; what it asks above them is capped."""
        return engine.limits.capped_at(**self.limits)

    def limits_above(self, limits: SandboxLimits) -> dict[str, tuple[float, float]]:
        """What the exercise asks for above `limits`, by name: (asked, what it gets instead)."""
        return {name: (asked, getattr(limits, name)) for name, asked in self.limits.items()
                if asked > getattr(limits, name)}

    @property
    def uses_registry(self) -> bool:
        return self.published is not None or any(need.kind.startswith("registry") for check in self.checks
                                                 for need in check.needs())


@dataclass(frozen=True)
class CheckResult:
    id: str
    passed: bool
    points: int
    max_points: int
    required: bool
    message: dict[str, str]
    hint: dict[str, str] | None = None

    def as_dict(self, language: str = "en") -> dict[str, Any]:
        data = {"id": self.id, "passed": self.passed, "points": self.points, "message": self.message[language]}
        if self.hint:
            data["hint"] = self.hint[language]
        return data


@dataclass(frozen=True)
class GradeReport:
    exercise: str
    outcome: Outcome
    checks: tuple[CheckResult, ...]

    @property
    def counts(self) -> bool:
        """Whether this counts as an attempt: failures of the infrastructure, and cancelled work, do not."""
        return self.outcome.kind not in INFRASTRUCTURE_FAILURES | {OutcomeKind.CANCELLED}

    @property
    def passed(self) -> bool:
        return self.counts and all(check.passed for check in self.checks if check.required)

    @property
    def score(self) -> int:
        return sum(check.points for check in self.checks)

    @property
    def max_score(self) -> int:
        return sum(check.max_points for check in self.checks)

    def as_dict(self, language: str = "en") -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "passed": self.passed,
            "score": self.score,
            "max_score": self.max_score,
            "outcome": self.outcome.kind.value,
            "checks": [check.as_dict(language) for check in self.checks],
        }


def grade(engine: Engine, spec: GradingSpec, files: Mapping[str, bytes], **options) -> GradeReport:
    report = None
    for event in grade_stream(engine, spec, files, **options):
        report = event
    return report


def grade_stream(
    engine: Engine,
    spec: GradingSpec,
    files: Mapping[str, bytes],
    *,
    executable: Collection[str] = (),
    attempt_id: str | None = None,
    failed_attempts: int = 0,
    cancel: threading.Event | None = None,
    registry: LearnersRegistry | None = None,
) -> Iterator[Any]:
    """Yields build (or pull) events, run output (LogLine), CheckResults, and last a GradeReport. `executable` names
    the files sent with the executable bit. `registry` is the learner's namespace in the course registry, for
    exercises graded from what they published."""
    if spec.uses_registry and registry is None:
        raise ValueError(f"{spec.exercise} is graded from the course registry: say whose namespace to look in")
    session = _Session(engine, spec, files, frozenset(executable), attempt_id, cancel, registry)
    try:
        facts = yield from _advice_once(session.gather())
        if facts.build.outcome.ok:
            yield CHECKING
            checks = [_result(check, check.judge(facts), failed_attempts) for check in spec.checks]
        else:
            checks = [_unbuilt(check, facts, failed_attempts, spec) for check in spec.checks]
        yield from checks
        yield GradeReport(spec.exercise, session.outcome(facts), tuple(checks))
    except EngineUnavailable:
        yield GradeReport(spec.exercise, Outcome(OutcomeKind.ENGINE_UNAVAILABLE), ())
    except RegistryUnavailable:
        yield GradeReport(spec.exercise, Outcome(OutcomeKind.REGISTRY_UNAVAILABLE, "pull"), ())
    finally:
        session.clean_up()


def _result(check: Check, verdict: Verdict, failed_attempts: int, hinted: bool = True) -> CheckResult:
    hint = None
    if hinted and not verdict.passed and check.hint and failed_attempts >= check.hint["after"]:
        hint = {"en": check.hint["en"], "zh-hans": check.hint["zh-hans"]}
    points = check.points if verdict.passed else 0
    return CheckResult(check.id, verdict.passed, points, check.points, check.required, verdict.message, hint)


def _unbuilt(check: Check, facts: Facts, failed_attempts: int, spec: GradingSpec) -> CheckResult:
    # BuildSucceeds is the one check that can judge a failed build.
    if isinstance(check, BuildSucceeds):
        return _result(check, check.judge(facts), failed_attempts)
    # Not checked is not failed: a hint about what the check looks for would send the learner after the wrong thing.
    return _result(check, failed(NOT_PULLED if spec.published else NOT_CHECKED), failed_attempts, hinted=False)


class _Session:
    """The engine work for one grading, and the images it must remove afterwards."""

    def __init__(self, engine: Engine, spec: GradingSpec, files: Mapping[str, bytes], executable: frozenset[str],
                 attempt_id: str | None, cancel: threading.Event | None = None,
                 registry: LearnersRegistry | None = None):
        self.engine, self.spec, self.files, self.attempt_id = engine, spec, dict(files), attempt_id
        self.executable = executable  # a rebuild's changed files keep theirs, as an edit on disk would
        self.cancel = cancel
        self.registry = registry
        self.limits: SandboxLimits = spec.limits_on(engine)
        self.builds: list[BuildResult] = []
        self.pulls: dict[str, TransferResult] = {}  # digest reference -> its pull

    def gather(self):
        if self.spec.published:
            build = yield from self._pull_published(*self.spec.published)
        else:
            build = yield from self._build(self.files, self.attempt_id)
        facts = Facts(build=build, dockerfile=_parsed(self.files), submitted=self.files)
        if not build.outcome.ok:
            return facts
        yield CHECKING
        facts.image = self.engine.inspect(build.image)
        facts.base = None if self.spec.published else self._final_base(facts.dockerfile)
        needs = [need for check in self.spec.checks for need in check.needs()]
        yield from self._gather_needs(facts, build.image, needs)
        if any(isinstance(check, HadolintCheck) for check in self.spec.checks):
            facts.lint = lint_dockerfile(self.files["Dockerfile"].decode("utf-8", errors="replace"))
        return facts

    def _build(self, files: Mapping[str, bytes], attempt_id: str | None):
        result = yield from progress(self.engine.build(files, allowed_bases=self.spec.bases,
                                                       executable=self.executable, attempt_id=attempt_id,
                                                       limits=self.limits, cancel=self.cancel),
                                     Phase("build", self.limits.build_timeout))
        if result.outcome.kind is OutcomeKind.ENGINE_UNAVAILABLE:
            raise EngineUnavailable("the engine failed during the build")
        self.builds.append(result)
        return result

    def _pull_published(self, repository: str, tag: str):
        """The image under test from the course registry, pulled by digest, as a BuildResult."""
        digest = self._registry_call(lambda client: client.digest(f"{self.registry.namespace}/{repository}", tag))
        if digest is None:
            wanted = self.registry.reference(repository, tag)
            return BuildResult(Outcome(OutcomeKind.NOT_PUBLISHED, "pull", {"reference": wanted}))
        pulled = yield from self._pull(repository, digest)
        return BuildResult(pulled.outcome, image=pulled.image)

    def _pull(self, repository: str, digest: str):
        reference = self.registry.reference(repository, digest)
        if reference not in self.pulls:
            pulled = yield from progress(self.engine.pull(
                reference, credentials=self.registry.credentials(), attempt_id=self._pull_id(),
                cancel=self.cancel), Phase("pull"))
            if pulled.outcome.kind is OutcomeKind.REGISTRY_UNAVAILABLE:
                raise RegistryUnavailable(pulled.outcome.message())
            if pulled.image:
                self.builds.append(BuildResult(pulled.outcome, image=pulled.image))
            self.pulls[reference] = pulled
        return self.pulls[reference]

    def _pull_id(self) -> str | None:
        return f"{self.attempt_id}-pull{len(self.pulls)}" if self.attempt_id else None

    def _registry_call(self, question):
        try:
            return question(self.registry.client())
        except requests.RequestException as error:
            raise RegistryUnavailable(str(error)) from error

    def _final_base(self, dockerfile: Dockerfile):
        base = final_stage_chain(dockerfile)[-1].base
        return None if base == "scratch" else self.engine.inspect(base)

    def _gather_needs(self, facts: Facts, image: str, needs: list[Need]):
        paths = sorted({need.key for need in needs if need.kind == "paths"})
        if paths:
            facts.paths = self.engine.read_paths(image, paths)
        if any(need.kind == "layers" for need in needs):
            facts.layers = named_as_written(self.engine.layer_listing(image), facts.dockerfile)
        for need in _unique(needs, "run"):
            facts.runs[need.key] = yield from self._run(image, need.detail)
        for need in _unique(needs, "stop"):
            check = need.detail
            facts.stops[need.key] = stopped = self.engine.stop_time(
                image, check.args, grace=check.grace, ready=check.ready, limits=self.limits,
                as_root=self.spec.run_as_root)
            if stopped.start_error is not None and (advice := start_advice(stopped.start_error)):
                yield advice
        for need in _unique(needs, "process"):
            check = need.detail
            facts.processes[need.key] = process = self.engine.main_process(
                image, check.args, env=check.env, ready=check.ready, limits=self.limits,
                as_root=self.spec.run_as_root)
            if process.start_error is not None and (advice := start_advice(process.start_error)):
                yield advice
        self._gather_step_paths(facts, needs)
        yield from self._gather_rebuilds(facts, needs)
        yield from self._gather_registry(facts, needs)

    def _gather_step_paths(self, facts: Facts, needs: list[Need]) -> None:
        """The asked paths as each build step left them, read from the image that step ended with."""
        paths = sorted({need.key for need in needs if need.kind == "step_paths"})
        if paths:
            for step_image in sorted({step.image for step in facts.build.steps if step.image}):
                facts.step_paths[step_image] = self.engine.read_paths(step_image, paths)

    def _gather_rebuilds(self, facts: Facts, needs: list[Need]):
        for need in _unique(needs, "rebuild"):
            changed = {**self.files, **{path: text.encode() for path, text in need.detail.items()}}
            facts.rebuilds[need.key] = yield from self._build(changed, None)
            yield CHECKING
        for need in needs:
            rebuild = facts.rebuilds[need.key] if need.kind == "rebuild_run" else None
            if rebuild is not None and rebuild.outcome.ok:
                runs = facts.rebuild_runs.setdefault(need.key, {})
                if need.detail.key() not in runs:
                    runs[need.detail.key()] = yield from self._run(rebuild.image, need.detail)
                    yield CHECKING

    def _gather_registry(self, facts: Facts, needs: list[Need]):
        wanted: dict[str, set[str]] = {}
        for need in needs:
            if need.kind == "registry":
                wanted.setdefault(need.key, set()).update(need.detail)
        for repository, tags in wanted.items():
            facts.registry[repository] = self._registry_call(
                lambda client, repository=repository, tags=tags: self._repository_facts(client, repository, tags))
        for need in _unique(needs, "registry_pull"):
            repository, tag = need.key
            digest = facts.registry[repository].digests.get(tag)
            if digest:
                pulled = yield from self._pull(repository, digest)
                facts.registry[repository].pulls[digest] = pulled.outcome

    def _repository_facts(self, client, repository: str, tags: set[str]) -> RepositoryFacts:
        name = f"{self.registry.namespace}/{repository}"
        present = client.tags(name)
        digests = {tag: client.digest(name, tag) for tag in sorted(tags & set(present))}
        digests = {tag: digest for tag, digest in digests.items() if digest}
        configs = {digest: client.image_config(name, digest) for digest in set(digests.values())}
        return RepositoryFacts(name, sorted(present), digests, configs, {})

    def _run(self, image: str, check):
        result = yield from progress(self.engine.run(image, check.args, env=check.env, as_root=self.spec.run_as_root,
                                                     limits=self.limits, cancel=self.cancel),
                                     Phase("run", self.limits.run_timeout))
        if result.outcome.kind is OutcomeKind.ENGINE_UNAVAILABLE:
            raise EngineUnavailable("the engine failed during a run")
        yield CHECKING
        return result

    def outcome(self, facts: Facts) -> Outcome:
        if self.cancel is not None and self.cancel.is_set():
            return Outcome(OutcomeKind.CANCELLED, "build")
        return facts.build.outcome

    def clean_up(self) -> None:
        for build in reversed(self.builds):
            try:
                self.engine.discard(build)
            except EngineUnavailable:
                pass  # the reaper removes it once the engine is back


def _advice_once(events: Iterator[Any]) -> Iterator[Any]:
    """The events of `events`, each plain explanation once: every run of a script without its executable bit fails
    alike, and one explanation says it. Returns what `events` returns."""
    said: set[str] = set()
    while True:
        try:
            event = next(events)
        except StopIteration as end:
            return end.value
        if isinstance(event, Advice):
            if event.message["en"] in said:
                continue
            said.add(event.message["en"])
        yield event


def named_as_written(layers: list[LayerListing], dockerfile: Dockerfile | None) -> list[LayerListing]:
    """The layers, those of the final stage called by the instruction that made each as the learner wrote it:
    Docker's history names a copied folder by its content hash (`COPY dir:716e… in /app`), which means nothing to
    whoever reads a check's message. The final stage's RUN, COPY and ADD made its last layers, one each, in order."""
    final = dockerfile.stages[-1].instructions if dockerfile and dockerfile.stages else ()
    makers = [instruction for instruction in final if instruction.keyword in LAYER_MAKERS]
    if not makers or len(makers) > len(layers):
        return layers
    ours = layers[-len(makers):]
    return layers[:-len(makers)] + [replace(layer, created_by=instruction.as_written)
                                    for layer, instruction in zip(ours, makers, strict=True)]


def _parsed(files: Mapping[str, bytes]) -> Dockerfile | None:
    try:
        return parse(files["Dockerfile"].decode("utf-8"))
    except (KeyError, UnicodeDecodeError, ValueError):
        return None


def _unique(needs: list[Need], kind: str) -> list[Need]:
    seen: dict[Any, Need] = {}
    for need in needs:
        if need.kind == kind:
            seen.setdefault(need.key, need)
    return list(seen.values())
