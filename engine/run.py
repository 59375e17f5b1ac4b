"""Running a learner's image: the hardened container, its output under the limits, and `docker stop` timed."""
from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Generator, Iterator, Mapping

import docker
from docker.types import LogConfig, Ulimit

from engine.client import Client, EngineUnavailable, engine_errors, without_host_paths
from engine.facts import Advice, LogLine, RunResult, StopResult
from engine.inspect import Inspector
from engine.labels import attempt_labels
from engine.limits import SandboxLimits
from engine.modes import not_executable_advice
from engine.outcomes import Outcome, OutcomeKind
from engine.watch import OutputCollector, Watch, run_outcome
from engine.watchdog import KILL_GRACE, Watchdog

RUNTIME_REFUSAL = re.compile(r"OCI runtime|runc|container init|starting container process")
RUNTIME_PREAMBLE = re.compile(
    r"^.*?(error during container init|starting container process caused|OCI runtime (create|start) failed)"
    r"(: (runc create failed|unable to start container process|error during container init))*: ")
GO_SOURCE = re.compile(r"\b[\w-]+\.go:\d+: ")


class ContainerRefused(Exception):
    """The runtime would not start a container of the learner's image (a WORKDIR it cannot enter, say)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.outcome = Outcome(OutcomeKind.RUN_ERROR, "run", {"reason": reason})


class Runner:
    """Runs images on one daemon with no network, no capabilities and a read-only root, under the limits."""

    def __init__(self, client: Client, inspector: Inspector, watchdog: Watchdog, limits: SandboxLimits):
        self.client = client
        self.inspector = inspector
        self.watchdog = watchdog
        self.limits = limits

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
        entrypoint: list[str] | None = None,
    ) -> Iterator[LogLine | RunResult]:
        """Run `image` (with `args` replacing its CMD, and `entrypoint` its ENTRYPOINT as `docker run
        --entrypoint` does: `[""]` resets it). Yields output lines, then an Advice if it failed for want of an
        executable bit, then a RunResult, which it also returns."""
        limits = limits or self.limits
        timeout = min(timeout or limits.run_timeout, limits.run_timeout)
        started = time.monotonic()
        try:
            container = self.create_container(image, args, env=env, as_root=as_root, limits=limits, init=True,
                                              entrypoint=entrypoint)
        except ContainerRefused as refused:
            result = RunResult(refused.outcome)
            yield result
            return result
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
            self.client.remove_container(container)
        if (advice := _advice(result)) is not None:
            yield advice
        yield result
        return result

    def _attach_and_run(self, container: str, timeout: float, limits: SandboxLimits, started: float,
                        cancel: threading.Event | None) -> Generator[LogLine, None, RunResult]:
        watch = Watch(deadline=started + timeout, container=container, cancel=cancel)
        output = OutputCollector(limits.output_bytes, limits.output_lines)
        with engine_errors():
            # Attached before the start, so nothing is missed; replaying logs as well could repeat a line.
            frames = self.client.api.attach(container, stream=True, logs=False, demux=True)
            self._start(container)
            with self.watchdog.watching(watch, limits):
                for stdout, stderr in frames:
                    lines = output.feed("stdout", stdout) + output.feed("stderr", stderr)
                    if output.truncated:  # before the lines are handed on: the kill must not wait for a reader
                        watch.stop(OutcomeKind.OUTPUT_TRUNCATED)
                    yield from lines
                yield from output.flush()
            exit_code = self.client.api.wait(container, timeout=KILL_GRACE + 5)["StatusCode"]
            oom_killed = bool(self.client.api.inspect_container(container)["State"].get("OOMKilled"))
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

    def create_container(
        self,
        image: str,
        args: list[str] | None,
        *,
        env: Mapping[str, str] | None,
        as_root: bool,
        limits: SandboxLimits,
        init: bool,
        entrypoint: list[str] | None = None,
    ) -> str:
        """A container of `image`, created, not started: no network, no capabilities, a read-only root with
        tmpfs scratch space, and the sandbox's limits on memory, processes, CPU and logs."""
        host_config = self.client.api.create_host_config(
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
        try:
            with engine_errors():
                created = self.client.api.create_container(
                    image,
                    command=list(args) if args is not None else None,
                    entrypoint=list(entrypoint) if entrypoint is not None else None,
                    user="0:0" if as_root else limits.run_user,
                    environment=dict(env or {}),
                    labels=attempt_labels(image),
                    network_disabled=True,
                    host_config=host_config,
                )
        except docker.errors.APIError as error:
            if error.status_code != 400:
                raise
            # The image cannot make a container as it is: "no command specified" for one without a command.
            raise ContainerRefused(without_host_paths(error.explanation or str(error))) from error
        return created["Id"]

    def _scratch_mounts(self, image: str, limits: SandboxLimits) -> dict[str, str]:
        """/tmp and every VOLUME the image declares, each a tmpfs of the sandbox's size. Left to itself the daemon
        would make each VOLUME an anonymous volume on its own disk, outside every limit. Unlike such a volume, a
        tmpfs starts empty: what the image holds at that path is not seen at run time."""
        declared = (self.inspector.inspect_raw(image).get("Config") or {}).get("Volumes") or {}
        options = f"rw,nosuid,nodev,size={limits.tmpfs_mb}m,mode=1777"
        return {path: options for path in ["/tmp", *sorted(declared)]}

    def _start(self, container: str) -> None:
        """Start a created container; ContainerRefused when the runtime says no (the learner's image is why)."""
        try:
            with engine_errors():
                self.client.api.start(container)
        except (docker.errors.APIError, EngineUnavailable) as error:
            explanation = str(getattr(error.__cause__, "explanation", None) or getattr(error, "explanation", "")
                              or error)
            if RUNTIME_REFUSAL.search(explanation):
                raise ContainerRefused(runtime_reason(explanation)) from error
            raise

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
        container = self.create_container(image, args, env=None, as_root=as_root, limits=limits, init=False)
        try:
            try:
                self._start(container)
            except ContainerRefused as refused:
                return StopResult(seconds=0.0, killed=False, exit_code=None, output="", start_error=refused.outcome)
            with engine_errors():
                time.sleep(settle)
                asked = time.monotonic()
                grace = max(1, math.ceil(grace))  # the API takes whole seconds
                self.client.api.stop(container, timeout=grace)
                seconds = time.monotonic() - asked
                state = self.client.api.inspect_container(container)["State"]
                output = self.client.api.logs(container, stdout=True, stderr=True)[: limits.output_bytes]
        finally:
            self.client.remove_container(container)
        return StopResult(
            seconds=seconds,
            killed=seconds >= grace,
            exit_code=state.get("ExitCode"),
            output=output.decode("utf-8", errors="replace"),
        )


def _advice(result: RunResult) -> Advice | None:
    """A plain explanation of a run that failed because a file lacked its executable bit, if that is why."""
    if result.outcome.kind is OutcomeKind.RUN_ERROR:
        return start_advice(result.outcome)
    if result.exit_code == 126:  # what a shell or the init process exits with when it cannot execute a file
        message = not_executable_advice(result.stdout + result.stderr)
        return Advice(message) if message else None
    return None


def start_advice(refusal: Outcome) -> Advice | None:
    """A plain explanation of the runtime's refusal to start a container (a run_error), when a file lacking its
    executable bit is why."""
    message = not_executable_advice(str(refusal.detail.get("reason", "")))
    return Advice(message) if message else None


def runtime_reason(explanation: str) -> str:
    """What the runtime's refusal says, for a learner: its own reason, without the layers of wrapping, the Go
    source positions or any path on the engine's host."""
    reason = GO_SOURCE.sub("", RUNTIME_PREAMBLE.sub("", explanation.strip()))
    reason = without_host_paths(reason).removesuffix(": unknown").strip()
    return reason.rstrip(".") + "."
