"""The sandbox engine: the only module that talks to Docker.

Everything a learner submits is built and run here, on the project's own Docker daemon, under the limits of
`SandboxLimits`. The rest of the code never sees Docker objects: it gets events while work streams, and facts
(BuildResult, RunResult, ImageFacts, StopResult) when it ends.

    engine = Engine.from_settings()
    for event in engine.build({"Dockerfile": b"FROM layerlab/busybox\\n"}, allowed_bases=["layerlab/busybox"]):
        ...                       # BuildStep, StepFinished, LogLine ... and last a BuildResult
    for event in engine.run(result.image, ["echo", "hi"]):
        ...                       # OutputLine ... and last a RunResult

Both generators also *return* their result, so `result = yield from engine.build(...)` works too.
Every tag is chosen here, never by the learner; every container and image carries the LABEL_* labels so that
`reap` can remove whatever a crash left behind.
"""
from __future__ import annotations

import io
import json
import logging
import math
import posixpath
import re
import tarfile
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

import docker
import requests
from docker.types import LogConfig, Ulimit
from docker.utils.build import PatternMatcher

from engine.cacheguard import CacheBusy, CacheGuard
from engine.dockerfile import Dockerfile
from engine.facts import (
    BuildResult,
    BuildStep,
    ImageFacts,
    LayerEntry,
    LayerListing,
    LayerProgress,
    LogLine,
    PathFact,
    ReapReport,
    RunResult,
    StepFinished,
    StepRecord,
    StopResult,
    TransferResult,
    image_facts,
)
from engine.limits import MB, SandboxLimits
from engine.outcomes import OK_BUILD, Outcome, OutcomeKind, rejected
from engine.rules import SubmissionRejected, check_submission
from engine.watch import OutputCollector, Watch, limit_hit, limit_outcome, run_outcome

log = logging.getLogger(__name__)

LABEL_ROLE = "org.layerlab.sandbox.role"  # "base" for course images, "attempt" for learners' images and containers
LABEL_ATTEMPT = "org.layerlab.sandbox.attempt"
LABEL_CREATED = "org.layerlab.sandbox.created"  # unix time, for the reaper
LABEL_RECIPE = "org.layerlab.sandbox.recipe"  # digest of a base image's recipe

ATTEMPT_REPOSITORY = "layerlab-attempt"
CACHE_REPOSITORY = "layerlab-cache"  # one tag per image a stage ended with: the build cache, pruned least used first
ATTEMPT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ANONYMOUS_VOLUME = re.compile(r"^[0-9a-f]{64}$")
CONTEXT_MTIME = 1_600_000_000  # a fixed time in the context tar, so identical files always hit the build cache
WATCHDOG_PERIOD = 0.25
SAMPLE_EVERY = 4  # disk and process samples every SAMPLE_EVERY watchdog ticks: they cost a daemon call each
LAYER_PROGRESS_EVERY = 0.5  # seconds between two progress events of one layer with the same status
KILL_GRACE = 5.0  # seconds a killed build may take to report its failure before the connection is dropped
ABORT_GRACE = 1.0  # seconds a stopped build may go on (between step containers) before its connection is dropped
CACHE_PRUNE_WAIT = 10.0  # seconds a prune waits for running builds to end before it gives up until the next sweep


class EngineUnavailable(Exception):
    """The Docker daemon could not be reached or answered with an error that is not the learner's doing."""


class BaseImageRefused(Exception):
    """An image the course will not build upon: its ONBUILD triggers would run in every build FROM it."""

    def __init__(self, image: str, triggers: list[str]):
        super().__init__(f"{image} has ONBUILD triggers ({'; '.join(triggers)}): they would run in every learner's "
                         "build, outside the exercise's checks. Use an image without ONBUILD.")


class ContainerRefused(Exception):
    """The runtime would not start a container of the learner's image (a WORKDIR it cannot enter, say)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.outcome = Outcome(OutcomeKind.RUN_ERROR, "run", {"reason": reason})


class Engine:
    """Hardened build / run / inspect / stop / reap on one Docker daemon."""

    def __init__(
        self,
        docker_host: str,
        limits: SandboxLimits | None = None,
    ):
        self.docker_host = docker_host
        self.limits = limits or SandboxLimits()
        self.cache_guard = CacheGuard.for_engine(docker_host)
        self._api: docker.APIClient | None = None
        self._api_lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> Engine:
        from django.conf import settings

        return cls(settings.SANDBOX_DOCKER_HOST, SandboxLimits.from_settings())

    # -- connection

    @property
    def api(self) -> docker.APIClient:
        """The low-level client, connected on first use; EngineUnavailable when the daemon does not answer."""
        with self._api_lock:
            if self._api is None:
                try:
                    self._api = docker.APIClient(base_url=self.docker_host, version="auto", timeout=60)
                except (docker.errors.DockerException, requests.RequestException) as error:
                    raise EngineUnavailable(f"no Docker engine answers at {self.docker_host}: {error}") from error
            return self._api

    def version(self) -> dict[str, Any]:
        with _engine_errors():
            return self.api.version()

    def info(self) -> dict[str, Any]:
        with _engine_errors():
            return self.api.info()

    # -- build

    def build(
        self,
        files: Mapping[str, bytes],
        *,
        allowed_bases: Collection[str],
        attempt_id: str | None = None,
        limits: SandboxLimits | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[BuildStep | StepFinished | LogLine | BuildResult]:
        """Build a submission (relative path -> bytes). Yields progress, then a BuildResult, which it also returns."""
        started = time.monotonic()
        try:
            dockerfile = check_submission(files, allowed_bases=allowed_bases)
        except SubmissionRejected as error:
            result = BuildResult(rejected(error))
            yield result
            return result
        tag = attempt_tag(attempt_id)
        session = _BuildSession(self, dockerfile, limits or self.limits, tag, cancel)
        try:
            with self.cache_guard.building():
                self._require_bases(dockerfile)
                yield from session.stream(build_context(labelled(files, tag)))
                result = session.result(time.monotonic() - started)
        except EngineUnavailable as error:
            log.warning("build failed for want of an engine: %s", error)
            session.clean_up_failure()
            result = BuildResult(Outcome(OutcomeKind.ENGINE_UNAVAILABLE), duration=time.monotonic() - started)
        yield result
        return result

    def _require_bases(self, dockerfile: Dockerfile) -> None:
        """Every base image must already be on the engine: for a missing one the daemon would try to pull it
        from Docker Hub on the host's network, where anyone could have published an image of that name."""
        stage_names = {stage.name for stage in dockerfile.stages if stage.name}
        for stage in dockerfile.stages:
            base = stage.base
            if base.lower() in stage_names or base == "scratch" or self.image_exists(base):
                continue
            raise EngineUnavailable(f"base image {base} is missing; run `manage.py sandbox_images`")

    # -- run

    def run(
        self,
        image: str,
        args: list[str] | None = None,
        *,
        timeout: float | None = None,
        env: Mapping[str, str] | None = None,
        as_root: bool = False,
        limits: SandboxLimits | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[LogLine | RunResult]:
        """Run `image` (with `args` replacing its CMD). Yields output lines, then a RunResult, which it also returns."""
        limits = limits or self.limits
        timeout = min(timeout or limits.run_timeout, limits.run_timeout)
        started = time.monotonic()
        try:
            container = self._create_container(image, args, env=env, as_root=as_root, limits=limits, init=True)
        except EngineUnavailable:
            result = RunResult(Outcome(OutcomeKind.ENGINE_UNAVAILABLE, "run"))
            yield result
            return result
        try:
            result = yield from self._attach_and_run(container, timeout, limits, started, cancel)
        except ContainerRefused as refused:
            result = RunResult(refused.outcome, duration=time.monotonic() - started)
        except EngineUnavailable:
            result = RunResult(Outcome(OutcomeKind.ENGINE_UNAVAILABLE, "run"), duration=time.monotonic() - started)
        finally:
            self._remove_container(container)
        yield result
        return result

    def _attach_and_run(self, container: str, timeout: float, limits: SandboxLimits, started: float, cancel=None):
        watch = Watch(deadline=started + timeout, container=container, cancel=cancel)
        output = OutputCollector(limits.output_bytes, limits.output_lines)
        with _engine_errors():
            # Attached before the start, so nothing is missed; replaying logs as well could repeat a line.
            frames = self.api.attach(container, stream=True, logs=False, demux=True)
            self._start(container)
            with self._watchdog(watch, limits):
                for stdout, stderr in frames:
                    lines = output.feed("stdout", stdout) + output.feed("stderr", stderr)
                    if output.truncated:  # before the lines are handed on: the kill must not wait for a reader
                        watch.stop(OutcomeKind.OUTPUT_TRUNCATED)
                    yield from lines
                yield from output.flush()
            exit_code = self.api.wait(container, timeout=KILL_GRACE + 5)["StatusCode"]
            oom_killed = bool(self.api.inspect_container(container)["State"].get("OOMKilled"))
        outcome = run_outcome(oom_killed, exit_code, watch, output, limits, timeout)
        return RunResult(
            outcome,
            exit_code=exit_code,
            oom_killed=oom_killed,
            timed_out=watch.abort is OutcomeKind.TIME_LIMIT,
            duration=time.monotonic() - started,
            output_truncated=output.truncated,
            stdout=output.text("stdout"),
            stderr=output.text("stderr"),
        )

    def _create_container(
        self,
        image: str,
        args: list[str] | None,
        *,
        env: Mapping[str, str] | None,
        as_root: bool,
        limits: SandboxLimits,
        init: bool,
    ) -> str:
        host_config = self.api.create_host_config(
            network_mode="none",
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            pids_limit=limits.pids,
            nano_cpus=limits.cpus_milli * 1_000_000,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            tmpfs=self._scratch_mounts(image, limits),
            ulimits=[Ulimit(name=u["Name"], soft=u["Soft"], hard=u["Hard"]) for u in limits.ulimits()],
            init=init,
            log_config=LogConfig(type="json-file", config={"max-size": f"{limits.log_kb}k", "max-file": "1"}),
        )
        with _engine_errors():
            created = self.api.create_container(
                image,
                command=list(args) if args is not None else None,
                user="0:0" if as_root else limits.run_user,
                environment=dict(env or {}),
                labels=_labels("attempt", attempt=_attempt_of(image)),
                network_disabled=True,
                host_config=host_config,
            )
        return created["Id"]

    def _scratch_mounts(self, image: str, limits: SandboxLimits) -> dict[str, str]:
        """/tmp and every VOLUME the image declares, each a tmpfs of the sandbox's size. Left to itself the daemon
        would make each VOLUME an anonymous volume on its own disk, outside every limit. Unlike such a volume, a
        tmpfs starts empty: what the image holds at that path is not seen at run time."""
        declared = (self.inspect_raw(image).get("Config") or {}).get("Volumes") or {}
        options = f"rw,nosuid,nodev,size={limits.tmpfs_mb}m,mode=1777"
        return {path: options for path in ["/tmp", *sorted(declared)]}

    def _start(self, container: str) -> None:
        """Start a created container; ContainerRefused when the runtime says no (the learner's image is why)."""
        try:
            with _engine_errors():
                self.api.start(container)
        except (docker.errors.APIError, EngineUnavailable) as error:
            explanation = str(getattr(error.__cause__, "explanation", None) or getattr(error, "explanation", "")
                              or error)
            if RUNTIME_REFUSAL.search(explanation):
                raise ContainerRefused(runtime_reason(explanation)) from error
            raise

    # -- stop

    def stop_time(
        self,
        image: str,
        args: list[str] | None = None,
        *,
        grace: float = 10,
        settle: float = 1.0,
        limits: SandboxLimits | None = None,
        as_root: bool = False,
    ) -> StopResult:
        """Start `image`, let it settle, then `docker stop` it and measure how long it takes to exit.

        There is no init process here: the learner's own PID 1 has to handle SIGTERM, as with a plain `docker run`.
        """
        limits = limits or self.limits
        container = self._create_container(image, args, env=None, as_root=as_root, limits=limits, init=False)
        try:
            try:
                self._start(container)
            except ContainerRefused as refused:
                return StopResult(seconds=0.0, killed=False, exit_code=None, output="", start_error=refused.outcome)
            with _engine_errors():
                time.sleep(settle)
                asked = time.monotonic()
                grace = max(1, math.ceil(grace))  # the API takes whole seconds
                self.api.stop(container, timeout=grace)
                seconds = time.monotonic() - asked
                state = self.api.inspect_container(container)["State"]
                output = self.api.logs(container, stdout=True, stderr=True)[: limits.output_bytes]
        finally:
            self._remove_container(container)
        return StopResult(
            seconds=seconds,
            killed=seconds >= grace,
            exit_code=state.get("ExitCode"),
            output=output.decode("utf-8", errors="replace"),
        )

    # -- inspect and remove

    def inspect(self, image: str) -> ImageFacts:
        details = self.inspect_raw(image)
        with _engine_errors():
            history = self.api.history(image)
        return image_facts(details, history)

    def read_paths(self, image: str, paths: Collection[str], *, max_bytes: int = 256 * 1024) -> dict[str, PathFact]:
        """What each path is in the image's final filesystem, read from a container that is never started."""
        with _engine_errors():
            container = self.api.create_container(
                image, command=["/layerlab-never-started"], labels=_labels("attempt", attempt=_attempt_of(image)),
                network_disabled=True,
            )["Id"]
        try:
            return {path: self._read_path(container, path, max_bytes) for path in paths}
        finally:
            self._remove_container(container)

    def _read_path(self, container: str, path: str, max_bytes: int, follow: int = 3) -> PathFact:
        try:
            with _engine_errors():
                chunks, stat = self.api.get_archive(container, path)
        except docker.errors.NotFound:
            return PathFact(path, exists=False)
        link = stat.get("linkTarget")
        if link and follow:
            target = link if link.startswith("/") else posixpath.join(posixpath.dirname(path), link)
            return replace(self._read_path(container, target, max_bytes, follow - 1), path=path)
        if stat["mode"] & (1 << 31):  # Go's os.ModeDir, as the API reports it
            return PathFact(path, exists=True, is_dir=True)
        content = _first_file(_ChunkReader(chunks), max_bytes)
        return PathFact(path, exists=True, size=stat["size"], content=content, truncated=stat["size"] > max_bytes)

    def layer_listing(self, image: str) -> list[LayerListing]:
        """The paths in each filesystem layer of `image`, from `docker save`, oldest layer first."""
        with _engine_errors():
            return _listings_from_save(_ChunkReader(self.api.get_image(image, chunk_size=1024 * 1024)))

    def image_exists(self, image: str) -> bool:
        try:
            self.inspect_raw(image)
        except docker.errors.ImageNotFound:
            return False
        return True

    def inspect_raw(self, image: str) -> dict[str, Any]:
        """The daemon's own description of an image (for the base image builder's recipe labels)."""
        with _engine_errors():
            return self.api.inspect_image(image)

    def discard(self, result: BuildResult) -> None:
        """Drop a built or pulled image's attempt tag. Its layers stay behind as the build cache (each stage's
        last layer keeps a `layerlab-cache` tag), which only `prune_cache` shrinks."""
        if result.image:
            self.untag(result.image)

    def untag(self, image: str) -> None:
        """Remove one tag. An image left with no tag goes too, but never the layers below it: a concurrent build
        may be reusing them from the cache this very moment. Missing images are fine."""
        try:
            with _engine_errors():
                self.api.remove_image(image, force=True, noprune=True)
        except docker.errors.NotFound:
            pass

    def remove(self, image: str) -> None:
        """Remove an image that is not an attempt's (a registry reference, a cache entry) with the untagged layers
        only it used. Anything still in use or built upon stays: a base image or a cache layer is never forced."""
        try:
            with _engine_errors():
                self.api.remove_image(image, force=False, noprune=False)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as error:
            if error.status_code != 409:
                raise
            log.info("kept %s, still in use: %s", image[:24], error.explanation)

    def import_base_image(self, rootfs_tar: str, tag: str, *, changes: list[str], recipe: str) -> str:
        """Import a root filesystem tar as a course base image, labelled with its recipe digest."""
        labels = [_label_instruction({LABEL_ROLE: "base", LABEL_RECIPE: recipe})]
        with _engine_errors():
            reply = self.api.import_image_from_file(rootfs_tar, repository=tag, changes=changes + labels)
        status = json.loads(reply.strip().splitlines()[-1]) if isinstance(reply, str) else reply
        if "error" in status:
            raise EngineUnavailable(f"importing {tag} failed: {status['error']}")
        return self.inspect_raw(tag)["Id"]

    def pull_base_image(self, source: str, tag: str, *, recipe: str) -> str:
        """Use an official image (pulled when missing) as a course base image, relabelled under the course's name."""
        with _engine_errors():
            if not self.image_exists(source):
                self.api.pull(source)
        self.refuse_onbuild(source)  # relabelling is a build FROM it, which would run the triggers
        self._relabel(source, tag, {LABEL_ROLE: "base", LABEL_RECIPE: recipe})
        return self.inspect_raw(tag)["Id"]

    def refuse_onbuild(self, image: str) -> None:
        """Raise BaseImageRefused if `image` carries ONBUILD triggers."""
        triggers = self.inspect_raw(image)["Config"].get("OnBuild") or []
        if triggers:
            raise BaseImageRefused(image, triggers)

    def base_images(self) -> list[dict[str, Any]]:
        with _engine_errors():
            return [image for image in self.api.images(filters={"label": f"{LABEL_ROLE}=base", "dangling": False})
                    if _is_base(image)]

    # -- registries

    def push(
        self, image: str, reference: str, *, credentials: tuple[str, str], cancel: threading.Event | None = None,
    ) -> Iterator[LayerProgress | TransferResult]:
        """Push `image` as `reference` (registry/name:tag) with the owner's `credentials`. Yields layer progress,
        then a TransferResult with the manifest's digest, which it also returns. The extra tag is removed after."""
        repository, _, tag = reference.rpartition(":")
        try:
            with _engine_errors():
                self.api.tag(image, repository, tag)
            result = yield from progress(throttled(self._transfer(
                lambda: self.api.push(repository, tag=tag, stream=True, decode=True, auth_config=_auth(credentials)),
                reference, "push", cancel)))
        finally:
            self.remove(reference)
        yield result
        return result

    def pull(
        self, reference: str, *, credentials: tuple[str, str], attempt_id: str | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[LayerProgress | TransferResult]:
        """Pull `reference` (registry/name@digest) and keep it as a sandbox image: relabelled under an attempt
        tag like a build, so `discard`, `run` and the reaper treat it like any other. Yields layer progress, then
        a TransferResult naming that image, which it also returns."""
        try:
            result = yield from progress(throttled(self._transfer(
                lambda: self.api.pull(reference, stream=True, decode=True, auth_config=_auth(credentials)),
                reference, "pull", cancel)))
            if result.outcome.ok and self.inspect_raw(reference)["Config"].get("OnBuild"):
                # Building on it would run the learner's triggers outside the limits of a build.
                result = replace(result, outcome=rejected(SubmissionRejected("published-onbuild",
                                                                             reference=reference)))
            elif result.outcome.ok:
                result = replace(result, image=self._adopt(reference, attempt_tag(attempt_id)))
        finally:
            self.remove(reference)
        yield result
        return result

    def _transfer(self, start: Callable[[], Iterator[dict]], reference: str, phase: str,
                  cancel: threading.Event | None):
        """Follow a push or pull stream: yields layer progress, then a TransferResult. The registry's refusals are
        the learner's to read; only a daemon that does not answer is EngineUnavailable."""
        digest = failure = None
        try:
            for message in start():
                if cancel is not None and cancel.is_set():
                    failure = Outcome(OutcomeKind.CANCELLED, phase)
                    break
                if "error" in message:
                    failure = _transfer_failure(message["error"], reference, phase)
                    break
                digest = (message.get("aux") or {}).get("Digest", digest)
                if message.get("id") and message.get("status"):
                    detail = message.get("progressDetail") or {}
                    yield LayerProgress(phase, message["id"], message["status"], detail.get("current"),
                                        detail.get("total"))
        except (requests.ConnectionError, requests.Timeout) as error:
            raise EngineUnavailable(f"the engine did not answer: {error}") from error
        except docker.errors.APIError as error:
            failure = _transfer_failure(str(error.explanation or error), reference, phase)
        if failure is not None:
            yield TransferResult(failure, reference)
        else:
            yield TransferResult(Outcome(OutcomeKind.OK, phase), reference, digest)

    def _adopt(self, reference: str, tag: str) -> str:
        """`reference` re-tagged as `tag` with the sandbox's labels, like a build of an attempt."""
        self._relabel(reference, tag, _labels("attempt", attempt=_attempt_of(tag)))
        return tag

    def _relabel(self, source: str, tag: str, labels: Mapping[str, str]) -> None:
        """Tag `source` as `tag` with `labels` added: one LABEL step on it, no new layer."""
        dockerfile = f"FROM {source}\n{_label_instruction(labels)}\n".encode()
        with _engine_errors():
            for message in self.api.build(fileobj=build_context({"Dockerfile": dockerfile}), custom_context=True,
                                          tag=tag, pull=False, rm=True, forcerm=True, network_mode="none", decode=True):
                if "error" in message:  # else the tag would still name whatever it named before
                    raise EngineUnavailable(f"labelling {source} as {tag} failed: {message['error']}")

    # -- reap

    def reap(self, *, older_than: float, cache_budget_bytes: int | None = None) -> ReapReport:
        """Remove what ended work left behind: sandbox containers and attempt tags older than `older_than`
        seconds, with their anonymous volumes, and unused volumes; then prune the build cache to its budget."""
        cutoff = time.time() - older_than
        with _engine_errors():
            containers = self._reap_containers(cutoff)
            attempt_tags = self._reap_attempt_tags(cutoff)
            volumes = self._reap_volumes(cutoff)
        cache = self.prune_cache(cache_budget_bytes, leftovers_older_than=older_than)
        return replace(cache, containers=containers, images=attempt_tags + cache.images, volumes=volumes)

    def prune_cache(self, budget_bytes: int | None, *, leftovers_older_than: float,
                    wait: float = CACHE_PRUNE_WAIT) -> ReapReport:
        """Shrink the build cache while no build runs: the layers failed builds left (once older than
        `leftovers_older_than` s), then the least recently used cache entries while the layers that are not the
        course's base images take more than `budget_bytes`. An empty report when builds kept the cache busy."""
        try:
            with self.cache_guard.pruning(wait), _engine_errors():
                pruned = self.api.prune_images(filters={
                    "dangling": True, "label": LABEL_ROLE, "until": f"{int(leftovers_older_than)}s"})
                dangling = sum(1 for entry in pruned.get("ImagesDeleted") or [] if "Deleted" in entry)
                removed, freed = self._prune_least_used(budget_bytes) if budget_bytes is not None else (0, 0)
        except CacheBusy as busy:
            log.info("build cache not pruned: %s", busy)
            return ReapReport()
        return ReapReport(images=removed, dangling=dangling,
                          reclaimed_bytes=freed + (pruned.get("SpaceReclaimed") or 0))

    def _prune_least_used(self, budget: int) -> tuple[int, int]:
        """Untag cache entries, least recently tagged first (every build that reuses one tags it again), until
        the cache fits `budget`. An untagged entry goes with the layers below it that nothing else builds on."""
        removed, before = 0, self._cache_bytes()
        for entry in sorted(self.api.images(name=CACHE_REPOSITORY), key=self._last_tagged):
            # A zero budget keeps nothing, not even entries that add no bytes (a stage of ENV and CMD alone).
            if budget and self._cache_bytes() <= budget:
                break
            for tag in entry.get("RepoTags") or []:
                self.remove(tag)
            removed += 1
        return removed, max(before - self._cache_bytes(), 0)

    def _last_tagged(self, image: dict[str, Any]) -> str:
        # RFC 3339 times in UTC sort as text; an image removed meanwhile sorts first and is skipped.
        try:
            return (self.api.inspect_image(image["Id"]).get("Metadata") or {}).get("LastTagTime") or ""
        except docker.errors.NotFound:
            return ""

    def _cache_bytes(self) -> int:
        """Bytes of image layers on the engine, the course's base images left out."""
        usage = self.api.df()
        bases = sum(image["Size"] for image in usage.get("Images") or [] if _is_base(image))
        return max((usage.get("LayersSize") or 0) - bases, 0)

    def _reap_containers(self, cutoff: float) -> int:
        # Build-step containers inherit LABEL_ROLE from the base image, so they are found here too.
        stale = [c for c in self.api.containers(all=True, filters={"label": LABEL_ROLE}) if c["Created"] < cutoff]
        for container in stale:
            self._remove_container(container["Id"])
        return len(stale)

    def _reap_volumes(self, cutoff: float) -> int:
        """Unused volumes the sandbox made (labelled), and unused anonymous ones a crash left (a daemon-chosen
        64-hex name) once older than `cutoff`: a volume someone named on a shared engine is never touched."""
        unused = self.api.volumes(filters={"dangling": True}).get("Volumes") or []
        stale = [volume["Name"] for volume in unused
                 if LABEL_ROLE in (volume.get("Labels") or {})
                 or (ANONYMOUS_VOLUME.match(volume["Name"]) and _unix_time(volume.get("CreatedAt")) < cutoff)]
        for name in stale:
            self._remove_volume(name)
        return len(stale)

    def _reap_attempt_tags(self, cutoff: float) -> int:
        """Attempt tags whose attempt crashed before its clean-up: only the tag goes, the layers are cache."""
        stale = [image for image in self.api.images(name=ATTEMPT_REPOSITORY) if image["Created"] < cutoff]
        for image in stale:
            for tag in image.get("RepoTags") or []:
                self.untag(tag)
        return len(stale)

    # -- helpers shared by build and run

    def _kill(self, container: str) -> None:
        try:
            self.api.kill(container)
        except (docker.errors.APIError, requests.RequestException):
            pass  # it may have exited on its own meanwhile

    def _remove_container(self, container: str) -> None:
        try:  # v: the anonymous volumes a VOLUME in the image made (for a container never started) go with it
            self.api.remove_container(container, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except (docker.errors.APIError, requests.RequestException) as error:
            log.warning("could not remove container %s (the reaper will): %s", container[:12], error)

    def _remove_volume(self, name: str) -> None:
        try:
            self.api.remove_volume(name, force=True)
        except docker.errors.NotFound:
            pass

    @contextmanager
    def _watchdog(self, watch: Watch, limits: SandboxLimits):
        """Enforce the wall clock, the disk budget of a build step and spot fork bombs, in a thread of its own."""
        thread = threading.Thread(target=self._watch, args=(watch, limits), daemon=True, name="sandbox-watchdog")
        thread.start()
        try:
            yield watch
        finally:
            watch.done.set()
            thread.join()

    def _watch(self, watch: Watch, limits: SandboxLimits) -> None:
        tick = 0
        while not watch.done.wait(WATCHDOG_PERIOD):
            container = watch.container
            if watch.cancel is not None and watch.cancel.is_set():
                watch.stop(OutcomeKind.CANCELLED)
            if time.monotonic() > watch.deadline:
                watch.stop(OutcomeKind.TIME_LIMIT)
            if watch.abort is not None:
                if container and container not in watch.killed:
                    watch.killed.add(container)
                    self._kill(container)
                if watch.hang_up and time.monotonic() - watch.stopped_at > ABORT_GRACE:
                    watch.hang_up()
                continue
            tick += 1
            if container is None or tick % SAMPLE_EVERY:
                continue
            try:
                self._sample(watch, container, limits)
            except (docker.errors.APIError, requests.RequestException):
                pass  # the container ended between two samples

    def _sample(self, watch: Watch, container: str, limits: SandboxLimits) -> None:
        stats = self.api.stats(container, stream=False, one_shot=True)
        if (stats.get("pids_stats") or {}).get("current", 0) >= limits.pids - 1:
            watch.saw_process_limit = True
        if not watch.check_disk:
            return
        listed = self.api.containers(all=True, size=True, filters={"id": container})
        if listed and (listed[0].get("SizeRw") or 0) > limits.build_disk_mb * MB:
            watch.stop(OutcomeKind.DISK_LIMIT)


# ------------------------------------------------------------------------------------------------------ build parts

STEP_LINE = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
RUNNING_IN = re.compile(r"^ ---> Running in ([0-9a-f]{12,64})$")
STEP_IMAGE = re.compile(r"^ ---> ([0-9a-f]{12,64})$")
USING_CACHE = " ---> Using cache"
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
BUILDER_CHATTER = re.compile(r"^(Removing intermediate container |Successfully built |Successfully tagged )")


class _BuildSession:
    """One build on the daemon: reads its stream, turns it into events and keeps what the result needs."""

    def __init__(
        self, engine: Engine, dockerfile: Dockerfile, limits: SandboxLimits, tag: str, cancel: threading.Event | None
    ):
        self.engine = engine
        self.dockerfile = dockerfile
        self.limits = limits
        self.tag = tag
        self.total = len(dockerfile.instructions)
        self.steps: list[StepRecord] = []
        self.step: int | None = None
        self.step_started = 0.0
        self.cached = False
        self.step_images: dict[int, str] = {}  # step number -> the image that step ended with
        self.error: dict[str, Any] | None = None
        self.output = OutputCollector(limits.output_bytes, limits.output_lines)
        self.transcript: list[str] = []  # what the learner saw: step headers and their output
        self.watch = Watch(deadline=time.monotonic() + limits.build_timeout, check_disk=True, cancel=cancel)

    def stream(self, context: io.BytesIO) -> Iterator[BuildStep | StepFinished | LogLine]:
        response = self._post(context)
        self.watch.hang_up = response.close
        with self.engine._watchdog(self.watch, self.limits):
            timer = threading.Timer(self.limits.build_timeout + KILL_GRACE, response.close)
            timer.start()  # the last resort if a killed build never reports back
            try:
                for message in _json_messages(response, self._aborted):
                    yield from self._handle(message)
                yield from self._lines(self.output.flush())
            finally:
                timer.cancel()
                response.close()

    def _post(self, context: io.BytesIO) -> requests.Response:
        # docker-py's build() cannot send ulimits and hides the response we need to close on abort,
        # so the /build call is made here with exactly the parameters the sandbox allows.
        limits = self.limits
        params = {
            "t": self.tag,
            "dockerfile": "Dockerfile",
            "rm": True,
            "forcerm": True,
            "pull": False,
            "networkmode": "none",
            "memory": limits.memory_bytes,
            "memswap": limits.memory_bytes,
            "cpushares": limits.cpu_shares,
            "ulimits": json.dumps(limits.ulimits()),
        }
        api = self.engine.api
        with _engine_errors():
            response = api._post(
                api._url("/build"),
                params=params,
                data=context,
                headers={"Content-Type": "application/x-tar"},
                stream=True,
                timeout=None,
            )
            api._raise_for_status(response)
        return response

    def _aborted(self) -> bool:
        return self.watch.abort is not None

    def _handle(self, message: dict[str, Any]) -> Iterator[BuildStep | StepFinished | LogLine]:
        if "error" in message:
            self.error = message.get("errorDetail") or {"message": message["error"]}
            return
        text = message.get("stream")
        if text:
            chunks = self.output.feed("build", text.encode())
            if self.output.truncated:
                self.watch.stop(OutcomeKind.OUTPUT_TRUNCATED)
            yield from self._lines(chunks)

    def _lines(self, lines: Iterator[LogLine]) -> Iterator[BuildStep | StepFinished | LogLine]:
        for line in lines:
            yield from self._line(line.text)

    def _line(self, text: str) -> Iterator[BuildStep | StepFinished | LogLine]:
        # The builder colours what steps print on stderr; the colour stays in the line, not in what is matched.
        plain = ANSI_COLOUR.sub("", text)
        if match := STEP_LINE.match(plain):
            yield from self._finish_step()
            self._start_step(int(match[1]))
            if self._visible():
                instruction = self.dockerfile.instruction_at_step(self.step)
                self.transcript.append(f"Step {self.step}/{self.total} : {match[3]}")
                yield BuildStep(self.step, self.total, match[3], instruction.line if instruction else None)
        elif match := RUNNING_IN.match(plain):
            self.watch.container = match[1]
        elif plain == USING_CACHE:
            self.cached = True
        elif match := STEP_IMAGE.match(plain):
            self.step_images[self.step] = match[1]
            self.watch.container = None
            yield from self._finish_step()
        elif not BUILDER_CHATTER.match(plain) and self._visible():
            self.transcript.append(plain)
            yield LogLine("build", text)

    def _visible(self) -> bool:
        # Steps past the learner's instructions are the sandbox's own LABEL step: not theirs to see.
        return self.step is not None and self.step <= self.total

    def _start_step(self, number: int) -> None:
        self.step, self.step_started, self.cached = number, time.monotonic(), False

    def _finish_step(self) -> Iterator[StepFinished]:
        if self.step is None or any(s.number == self.step for s in self.steps):
            return
        seconds = round(time.monotonic() - self.step_started, 3)
        instruction = self.dockerfile.instruction_at_step(self.step)
        if self._visible():
            self.steps.append(
                StepRecord(self.step, _instruction_text(instruction), instruction.line if instruction else None,
                           self.cached, seconds)
            )
            yield StepFinished(self.step, self.cached, seconds)

    def result(self, duration: float) -> BuildResult:
        outcome = self._outcome()
        if not outcome.ok:
            self.clean_up_failure()
            return BuildResult(outcome, steps=tuple(self.steps), duration=duration,
                               output_truncated=self.output.truncated, log=self._log())
        image_id = self.engine.inspect_raw(self.tag)["Id"]
        self._keep_as_cache()
        return BuildResult(outcome, image=self.tag, image_id=image_id, steps=tuple(self.steps), duration=duration,
                           output_truncated=self.output.truncated, log=self._log())

    def _keep_as_cache(self) -> None:
        """Tag the image each stage ended with as a cache entry, so that it outlives the attempt's tag. Tagging
        an entry again when a build reuses it is what makes the prune least-recently-used."""
        for image in self._stage_ends():
            with _engine_errors():
                self.engine.api.tag(image, CACHE_REPOSITORY, image.removeprefix("sha256:")[:12])

    def _stage_ends(self) -> list[str]:
        """The last image of every stage that ran a step of its own (a bare FROM adds nothing to keep)."""
        instructions = self.dockerfile.instructions
        starts = [number for number, instruction in enumerate(instructions, start=1) if instruction.keyword == "FROM"]
        ends = [start - 1 for start in starts[1:]] + [self.total]
        return [self.step_images[end] for end, start in zip(ends, starts, strict=True)
                if end > start and end in self.step_images]

    def _log(self) -> str:
        return "\n".join(self.transcript) + ("\n" if self.transcript else "")

    def _outcome(self) -> Outcome:
        limits, watch = self.limits, self.watch
        if watch.abort is None and self.error is None:
            return OK_BUILD
        limit = limit_hit(watch, self.output, killed_by_kernel=(self.error or {}).get("code") == 137)
        if limit is not None:
            return limit_outcome(limit, "build", limits, limits.build_timeout, self.output)
        instruction = self.dockerfile.instruction_at_step(self.step or 0)
        return Outcome(OutcomeKind.BUILD_ERROR, "build", {
            "step": self.step or "?",
            "line": instruction.line if instruction else "?",
            "instruction": _instruction_text(instruction),
            "reason": without_host_paths(self.error.get("message", "").strip()),
        })

    def clean_up_failure(self) -> None:
        """Remove the step container a failed build may leave. The steps that worked stay as cache, as on a
        learner's own machine; the sweep prunes them once they are old."""
        if self.watch.container:
            self.engine._remove_container(self.watch.container)


def _json_messages(response: requests.Response, aborted: Callable[[], bool]) -> Iterator[dict[str, Any]]:
    """The daemon's JSON progress messages. Ends quietly when an aborted build's connection is dropped."""
    buffer = b""
    try:
        for chunk in response.iter_content(chunk_size=None):
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            for raw in complete:
                if raw.strip():
                    yield json.loads(raw)
    except (requests.RequestException, OSError, AttributeError, ValueError):
        if not aborted():
            raise EngineUnavailable("the engine dropped the build's connection") from None


def _instruction_text(instruction) -> str:
    if instruction is None:
        return "?"
    text = f"{instruction.keyword} {instruction.value}".strip()
    return text if len(text) <= 120 else text[:117] + "..."


@contextmanager
def _engine_errors():
    """Turn a lost connection or a daemon-side failure into EngineUnavailable; the learner's errors pass through."""
    try:
        yield
    except (requests.ConnectionError, requests.Timeout) as error:
        raise EngineUnavailable(f"the engine did not answer: {error}") from error
    except docker.errors.APIError as error:
        if error.status_code is not None and error.status_code >= 500 and not isinstance(error, docker.errors.NotFound):
            raise EngineUnavailable(f"the engine failed: {error.explanation}") from error
        raise


RUNTIME_REFUSAL = re.compile(r"OCI runtime|runc|container init|starting container process")
RUNTIME_PREAMBLE = re.compile(
    r"^.*?(error during container init|starting container process caused|OCI runtime (create|start) failed)"
    r"(: (runc create failed|unable to start container process|error during container init))*: ")
HOST_PATH = re.compile(r"(/var/lib|/run|/proc/self/fd|/sys/fs|/tmp)/[^\s\"':,]*|[^\s\"']*/overlay2/[^\s\"']*")
GO_SOURCE = re.compile(r"\b[\w-]+\.go:\d+: ")


def runtime_reason(explanation: str) -> str:
    """What the runtime's refusal says, for a learner: its own reason, without the layers of wrapping, the Go
    source positions or any path on the engine's host."""
    reason = GO_SOURCE.sub("", RUNTIME_PREAMBLE.sub("", explanation.strip()))
    reason = without_host_paths(reason).removesuffix(": unknown").strip()
    return reason.rstrip(".") + "."


def without_host_paths(text: str) -> str:
    """A daemon's message with every path on the engine's host (its data root, its run directory) made "…":
    the learner needs the reason, never where the engine keeps its files."""
    return HOST_PATH.sub("…", text)


def _auth(credentials: tuple[str, str]) -> dict[str, str]:
    username, password = credentials
    return {"username": username, "password": password}


REGISTRY_DOWN = re.compile(r"connection refused|no such host|i/o timeout|connection reset|EOF|50[0-9] ")


def _transfer_failure(message: str, reference: str, phase: str) -> Outcome:
    """What the daemon's push or pull error means for the learner."""
    if "manifest unknown" in message or "not found" in message.lower():
        return Outcome(OutcomeKind.NOT_PUBLISHED, phase, {"reference": reference})
    if REGISTRY_DOWN.search(message):
        log.warning("%s of %s failed for want of a registry: %s", phase, reference, message)
        return Outcome(OutcomeKind.REGISTRY_UNAVAILABLE, phase)
    reason = message.strip().rstrip(".") + "."
    return Outcome(OutcomeKind.REGISTRY_DENIED, phase, {"reference": reference, "reason": reason})


def _labels(role: str, *, attempt: str | None = None) -> dict[str, str]:
    labels = {LABEL_ROLE: role, LABEL_CREATED: str(int(time.time()))}
    if attempt:
        labels[LABEL_ATTEMPT] = attempt
    return labels


def progress(stream: Iterator[Any]) -> Iterator[Any]:
    """Pass on the progress events of `build`, `run`, `push` or `pull` and return their result, which they yield
    last: `result = yield from progress(engine.build(...))`."""
    result = None
    for event in stream:
        if isinstance(event, (BuildResult, RunResult, TransferResult)):
            result = event
        else:
            yield event
    return result


def throttled(events: Iterator[Any], every: float = LAYER_PROGRESS_EVERY) -> Iterator[Any]:
    """Layer progress at most every `every` seconds per layer, and at every change of status; all else passes."""
    last_shown: dict[str, tuple[str, float]] = {}
    for event in events:
        if isinstance(event, LayerProgress):
            now = time.monotonic()
            previous = last_shown.get(event.layer)
            if previous and previous[0] == event.status and now - previous[1] < every:
                continue
            last_shown[event.layer] = (event.status, now)
        yield event


def labelled(files: Mapping[str, bytes], tag: str) -> dict[str, bytes]:
    """The submission with one LABEL instruction appended for the sandbox's bookkeeping.

    The build API's `labels` parameter would add one build step per label; one instruction adds one step.
    The parser refuses a Dockerfile whose last line continues, so the appended line stands on its own.
    """
    instruction = _label_instruction(_labels("attempt", attempt=_attempt_of(tag)))
    return {**files, "Dockerfile": files["Dockerfile"].rstrip(b"\n") + f"\n{instruction}\n".encode()}


def _label_instruction(labels: Mapping[str, str]) -> str:
    """One LABEL instruction setting every label (values are the sandbox's own: no quotes inside)."""
    return "LABEL " + " ".join(f'{key}="{value}"' for key, value in labels.items())


def _is_base(image: dict[str, Any]) -> bool:
    """Whether a listed image is a course base image. Every image built on one inherits its labels, so the
    labels alone do not tell: a base has a name of its own, not an attempt's or the cache's."""
    sandbox_tag = (f"{ATTEMPT_REPOSITORY}:", f"{CACHE_REPOSITORY}:", "<none>")
    return (image.get("Labels") or {}).get(LABEL_ROLE) == "base" and any(
        not tag.startswith(sandbox_tag) for tag in image.get("RepoTags") or [])


def _unix_time(rfc3339: str | None) -> float:
    """The daemon's CreatedAt ("2026-12-02T05:16:28Z", sometimes with nanoseconds or an offset) as unix time."""
    if not rfc3339:
        return 0.0
    text = re.sub(r"(\.\d+)", "", rfc3339).replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


def _attempt_of(image: str) -> str | None:
    prefix = f"{ATTEMPT_REPOSITORY}:"
    return image.removeprefix(prefix) if image.startswith(prefix) else None


def attempt_tag(attempt_id: str | None) -> str:
    """The only tag an attempt's image can get: layerlab-attempt:<id>. It cannot name a base image."""
    attempt_id = attempt_id or uuid.uuid4().hex
    if not ATTEMPT_ID.match(attempt_id):
        raise ValueError(f"attempt ids are lower-case letters, digits, '-' and '_': {attempt_id!r}")
    return f"{ATTEMPT_REPOSITORY}:{attempt_id}"


def build_context(files: Mapping[str, bytes]) -> io.BytesIO:
    """A tar of the submission made by the server: regular files only, fixed owner and time, no host paths.

    A file that starts with "#!" is made executable, as a learner's script would be on their own machine.
    """
    buffer = io.BytesIO()
    ignored = _dockerignore(files)
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(path for path in files if not ignored(path)):
            data = files[path]
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o755 if data.startswith(b"#!") else 0o644
            info.mtime = CONTEXT_MTIME
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


class _ChunkReader(io.RawIOBase):
    """A file object over a generator of byte chunks, so tarfile can stream what the daemon sends."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            self._buffer = next(self._chunks, None)
            if self._buffer is None:
                self._buffer = b""
                return 0
        size = min(len(target), len(self._buffer))
        target[:size], self._buffer = self._buffer[:size], self._buffer[size:]
        return size


def _first_file(stream: io.RawIOBase, max_bytes: int) -> bytes | None:
    with tarfile.open(fileobj=io.BufferedReader(stream), mode="r|") as archive:
        for member in archive:
            if member.isfile():
                return archive.extractfile(member).read(max_bytes)
            return None
    return None


def _listings_from_save(stream: io.RawIOBase) -> list[LayerListing]:
    layers: dict[str, tuple[LayerEntry, ...]] = {}
    documents: dict[str, Any] = {}
    with tarfile.open(fileobj=io.BufferedReader(stream, buffer_size=1024 * 1024), mode="r|") as archive:
        for member in archive:
            if member.name.endswith("/layer.tar"):
                layers[member.name] = _layer_entries(archive.extractfile(member))
            elif member.name.endswith(".json") and "/" not in member.name:
                documents[member.name] = json.loads(archive.extractfile(member).read())
    manifest = documents["manifest.json"][0]
    config = documents[manifest["Config"]]
    made_layers = [entry.get("created_by", "") for entry in config.get("history", []) if not entry.get("empty_layer")]
    diff_ids = config["rootfs"]["diff_ids"]
    made_layers = made_layers[-len(diff_ids):] if len(made_layers) >= len(diff_ids) else [""] * len(diff_ids)
    return [
        LayerListing(diff_id, created_by, layers[name])
        for name, diff_id, created_by in zip(manifest["Layers"], diff_ids, made_layers, strict=True)
    ]


def _layer_entries(layer) -> tuple[LayerEntry, ...]:
    entries = []
    with tarfile.open(fileobj=layer, mode="r|") as archive:
        for member in archive:
            directory, _, name = member.name.removeprefix("./").rpartition("/")
            if name.startswith(".wh."):
                hidden = name.removeprefix(".wh.")
                path = f"{directory}/{hidden}" if directory else hidden
                entries.append(LayerEntry(path, 0, whiteout=True))
            elif not member.isdir():
                entries.append(LayerEntry(member.name.removeprefix("./"), member.size))
    return tuple(entries)


def _dockerignore(files: Mapping[str, bytes]) -> Callable[[str], bool]:
    """Whether a path is left out by the context's .dockerignore. The client applies it, not the daemon, and here
    the server is the client. The Dockerfile and .dockerignore themselves are always sent, as the CLI does."""
    text = files.get(".dockerignore", b"").decode("utf-8", errors="replace")
    patterns = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    matcher = PatternMatcher([*patterns, "!Dockerfile"])
    return matcher.matches
