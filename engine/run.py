"""Running a learner's image: the hardened container, its output under the limits, and `docker stop` timed."""
from __future__ import annotations

import math
import os
import re
import threading
import time
from collections.abc import Generator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import docker
from docker.types import LogConfig, Ulimit

from engine.client import Client, EngineUnavailable, engine_errors, without_host_paths
from engine.facts import Advice, LogLine, ProcessResult, RunResult, StopResult
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
READY_POLL = 0.05  # seconds between looks at a starting container's output


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
        ready: str | None = None,
        limits: SandboxLimits | None = None,
        as_root: bool = False,
    ) -> StopResult:
        """Start `image`, let it settle (or wait until its output holds `ready`), then `docker stop` it and measure
        how long it takes to exit. A container that is no longer running when the stop is sent exited by itself.

        There is no init process here: the learner's own PID 1 has to handle SIGTERM, as with a plain `docker run`.
        """
        limits = limits or self.limits
        with self._started(image, args, None, as_root, limits) as container:
            if isinstance(container, Outcome):
                return StopResult(seconds=0.0, killed=False, exit_code=None, output="", start_error=container)
            with engine_errors():
                up = self._wait_until_up(container, ready, settle, limits)
                asked = time.monotonic()
                grace = max(1, math.ceil(grace))  # the API takes whole seconds
                was_running = self._stop(container, grace) and up.running
                seconds = time.monotonic() - asked
                state = self.client.api.inspect_container(container)["State"]
                output = self._output(container, limits)
        return StopResult(
            seconds=0.0 if not was_running else seconds,
            killed=was_running and seconds >= grace,
            exit_code=state.get("ExitCode"),
            output=output,
            exited_early=not was_running,
            ready_seen=up.ready_seen,
        )

    def main_process(
        self,
        image: str,
        args: list[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        ready: str | None = None,
        settle: float = 1.0,
        limits: SandboxLimits | None = None,
        as_root: bool = False,
    ) -> ProcessResult:
        """Start `image` without an init process, wait as `stop_time` does, and read what runs as its PID 1."""
        limits = limits or self.limits
        with self._started(image, args, env, as_root, limits) as container:
            if isinstance(container, Outcome):
                return ProcessResult(start_error=container)
            with engine_errors():
                up = self._wait_until_up(container, ready, settle, limits)
                state = self.client.api.inspect_container(container)["State"]
                if not up.running or not state.get("Running"):
                    return ProcessResult(output=self._output(container, limits), exited_early=True,
                                         ready_seen=up.ready_seen)
                argv, executable = self._pid1(container, state["Pid"])
                return ProcessResult(argv, executable, self._output(container, limits), ready_seen=up.ready_seen)

    @contextmanager
    def _started(self, image: str, args: list[str] | None, env: Mapping[str, str] | None, as_root: bool,
                 limits: SandboxLimits) -> Iterator[str | Outcome]:
        """A started container of `image` without an init process, removed afterwards; the runtime's refusal to
        start it as an Outcome instead."""
        container = self.create_container(image, args, env=env, as_root=as_root, limits=limits, init=False)
        try:
            try:
                self._start(container)
            except ContainerRefused as refused:
                yield refused.outcome
                return
            yield container
        finally:
            self.client.remove_container(container)

    def _wait_until_up(self, container: str, ready: str | None, settle: float, limits: SandboxLimits) -> _Up:
        """Without `ready`, `settle` seconds; with it, until the output holds it, the container exits, or the run
        timeout passes."""
        if ready is None:
            time.sleep(settle)
            return _Up(self._running(container), ready_seen=True)
        deadline = time.monotonic() + limits.run_timeout
        while True:
            seen = ready in self._output(container, limits)
            running = self._running(container)
            if seen or not running or time.monotonic() >= deadline:
                return _Up(running, ready_seen=seen)
            time.sleep(READY_POLL)

    def _running(self, container: str) -> bool:
        return bool(self.client.api.inspect_container(container)["State"].get("Running"))

    def _output(self, container: str, limits: SandboxLimits) -> str:
        output = self.client.api.logs(container, stdout=True, stderr=True)[: limits.output_bytes]
        return output.decode("utf-8", errors="replace")

    def _stop(self, container: str, grace: int) -> bool:
        """`docker stop`; False when the daemon says the container was not running (HTTP 304), as it answers for
        one that already exited by itself."""
        api = self.client.api
        response = api._post(api._url("/containers/{0}/stop", container), params={"t": grace},
                             timeout=grace + (api.timeout or 60))
        api._raise_for_status(response)
        return response.status_code != 304

    def _pid1(self, container: str, pid: int) -> tuple[tuple[str, ...], str]:
        """PID 1's command line and executable, from this host's /proc (the engine's host: workers run beside
        their engine). Where /proc does not show it, the command line comes from `docker top`, without the
        executable."""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                cmdline = file.read()
            executable = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            top = self.client.api.top(container, ps_args="-o pid,args")
            line = next((row for row in top.get("Processes") or [] if row and row[0] == str(pid)), None)
            return (tuple(line[1].split(" ")) if line else ()), ""
        return tuple(arg.decode("utf-8", errors="replace") for arg in cmdline.split(b"\0")[:-1]), executable


@dataclass(frozen=True)
class _Up:
    running: bool
    ready_seen: bool


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
