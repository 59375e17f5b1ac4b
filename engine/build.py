"""Building a submission: the context tar the server makes, the build session that reads the daemon's stream,
and the build cache each build leaves tagged.

Both the result and the events are the engine's own facts (BuildStep, StepFinished, LogLine, BuildResult): the
rest of the code never sees the daemon's messages.
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import tarfile
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

import requests
from docker.utils.build import PatternMatcher

from engine.cacheguard import CacheGuard
from engine.client import Client, EngineUnavailable, engine_errors, without_host_paths
from engine.dockerfile import Dockerfile
from engine.facts import Advice, BuildResult, BuildStep, LogLine, StepFinished, StepRecord
from engine.inspect import Inspector
from engine.labels import CACHE_REPOSITORY, attempt_labels, attempt_tag, label_instruction
from engine.limits import SandboxLimits
from engine.modes import not_executable_advice
from engine.outcomes import OK_BUILD, Outcome, OutcomeKind, rejected
from engine.rules import SubmissionRejected, check_submission
from engine.watch import OutputCollector, Watch, limit_hit, limit_outcome
from engine.watchdog import KILL_GRACE, Watchdog

log = logging.getLogger(__name__)

CONTEXT_MTIME = 1_600_000_000  # a fixed time in the context tar, so identical files always hit the build cache
STEP_LINE = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
RUNNING_IN = re.compile(r"^ ---> Running in ([0-9a-f]{12,64})$")
# A step's image; after `FROM scratch` there is none, and the builder prints the arrow alone.
STEP_IMAGE = re.compile(r"^ ---> ?([0-9a-f]{12,64})?\s*$")
USING_CACHE = " ---> Using cache"
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
BUILDER_CHATTER = re.compile(r"^(Removing intermediate container |Successfully built |Successfully tagged )")


class Builder:
    """Builds learners' submissions on one daemon, under the sandbox's limits, while no prune runs."""

    def __init__(self, client: Client, inspector: Inspector, watchdog: Watchdog, cache_guard: CacheGuard,
                 limits: SandboxLimits):
        self.client = client
        self.inspector = inspector
        self.watchdog = watchdog
        self.cache_guard = cache_guard
        self.limits = limits

    def build(
        self,
        files: Mapping[str, bytes],
        *,
        allowed_bases: Collection[str],
        executable: Collection[str] = (),
        attempt_id: str | None = None,
        limits: SandboxLimits | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[BuildStep | StepFinished | LogLine | BuildResult]:
        """Build a submission (relative path -> bytes; the paths in `executable` get the executable bit). Yields
        progress, then an Advice if a step failed for want of an executable bit, then a BuildResult, which it also
        returns."""
        started = time.monotonic()
        try:
            dockerfile = check_submission(files, allowed_bases=allowed_bases)
        except SubmissionRejected as error:
            result = BuildResult(rejected(error))
            yield result
            return result
        tag = attempt_tag(attempt_id)
        session = _BuildSession(self.client, self.inspector, self.watchdog, dockerfile, limits or self.limits, tag,
                                cancel)
        try:
            with self.cache_guard.building():
                self._require_bases(dockerfile)
                yield from session.stream(build_context(labelled(files, tag), executable))
                result = session.result(time.monotonic() - started)
        except EngineUnavailable as error:
            log.warning("build failed for want of an engine: %s", error)
            with contextlib.suppress(EngineUnavailable):  # what is left there, the reaper removes once it is back
                session.clean_up_failure()
            result = BuildResult(Outcome(OutcomeKind.ENGINE_UNAVAILABLE), duration=time.monotonic() - started)
        if result.outcome.kind is OutcomeKind.BUILD_ERROR and (advice := not_executable_advice(result.log)):
            yield Advice(advice)
        yield result
        return result

    def _require_bases(self, dockerfile: Dockerfile) -> None:
        """Every base image must already be on the engine: for a missing one the daemon would try to pull it
        from Docker Hub on the host's network, where anyone could have published an image of that name."""
        stage_names = {stage.name for stage in dockerfile.stages if stage.name}
        for stage in dockerfile.stages:
            base = stage.base
            if base.lower() in stage_names or base == "scratch" or self.inspector.image_exists(base):
                continue
            raise EngineUnavailable(f"base image {base} is missing; run `manage.py sandbox_images`")


def relabel(client: Client, source: str, tag: str, labels: Mapping[str, str]) -> None:
    """Tag `source` as `tag` with `labels` added: one LABEL step on it, no new layer."""
    dockerfile = f"FROM {source}\n{label_instruction(labels)}\n".encode()
    with engine_errors():
        for message in client.api.build(fileobj=build_context({"Dockerfile": dockerfile}), custom_context=True,
                                        tag=tag, pull=False, rm=True, forcerm=True, network_mode="none", decode=True):
            if "error" in message:  # else the tag would still name whatever it named before
                raise EngineUnavailable(f"labelling {source} as {tag} failed: {message['error']}")


class _BuildSession:
    """One build on the daemon: reads its stream, turns it into events and keeps what the result needs."""

    def __init__(
        self,
        client: Client,
        inspector: Inspector,
        watchdog: Watchdog,
        dockerfile: Dockerfile,
        limits: SandboxLimits,
        tag: str,
        cancel: threading.Event | None,
    ):
        self.client = client
        self.inspector = inspector
        self.watchdog = watchdog
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
        with self.watchdog.watching(self.watch, self.limits):
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
        api = self.client.api
        with engine_errors():
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
            if match[1]:
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
                           self.cached, seconds, self.step_images.get(self.step))
            )
            yield StepFinished(self.step, self.cached, seconds)

    def result(self, duration: float) -> BuildResult:
        outcome = self._outcome()
        if not outcome.ok:
            self.clean_up_failure()
            # A build cancelled after the daemon finished it (its worker was frozen meanwhile) is tagged all the same.
            self.client.untag(self.tag)
            return BuildResult(outcome, steps=tuple(self.steps), duration=duration,
                               output_truncated=self.output.truncated, log=self._log())
        image_id = self.inspector.inspect_raw(self.tag)["Id"]
        self._keep_as_cache()
        return BuildResult(outcome, image=self.tag, image_id=image_id, steps=tuple(self.steps), duration=duration,
                           output_truncated=self.output.truncated, log=self._log())

    def _keep_as_cache(self) -> None:
        """Tag the image each stage ended with as a cache entry, so that it outlives the attempt's tag. Tagging
        an entry again when a build reuses it is what makes the prune least-recently-used."""
        for image in self._stage_ends():
            with engine_errors():
                self.client.api.tag(image, CACHE_REPOSITORY, image.removeprefix("sha256:")[:12])

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
        if self.output.saw("disk_full") or "no space left on device" in (self.error or {}).get("message", ""):
            # The engine's disk filled up before the step's own disk budget was reached (or other builds filled it).
            return Outcome(OutcomeKind.DISK_FULL, "build")
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
            self.client.remove_container(self.watch.container)


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


def labelled(files: Mapping[str, bytes], tag: str) -> dict[str, bytes]:
    """The submission with one LABEL instruction appended for the sandbox's bookkeeping.

    The build API's `labels` parameter would add one build step per label; one instruction adds one step.
    The parser refuses a Dockerfile whose last line continues, so the appended line stands on its own.
    """
    instruction = label_instruction(attempt_labels(tag))
    return {**files, "Dockerfile": files["Dockerfile"].rstrip(b"\n") + f"\n{instruction}\n".encode()}


def build_context(files: Mapping[str, bytes], executable: Collection[str] = ()) -> io.BytesIO:
    """A tar of the submission made by the server: regular files only, fixed owner and time, no host paths.

    A file's mode is 0755 if it is in `executable`, else 0644, as `docker build` sends a file of mode 755 or 644
    from a learner's own disk: nothing else makes a script executable, since Docker never guesses.
    """
    buffer = io.BytesIO()
    ignored = _dockerignore(files)
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(path for path in files if not ignored(path)):
            data = files[path]
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o755 if path in executable else 0o644
            info.mtime = CONTEXT_MTIME
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def _dockerignore(files: Mapping[str, bytes]) -> Callable[[str], bool]:
    """Whether a path is left out by the context's .dockerignore. The client applies it, not the daemon, and here
    the server is the client. The Dockerfile and .dockerignore themselves are always sent, as the CLI does."""
    text = files.get(".dockerignore", b"").decode("utf-8", errors="replace")
    patterns = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    matcher = PatternMatcher([*patterns, "!Dockerfile"])
    return matcher.matches
