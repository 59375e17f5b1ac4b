"""Watching a build step or a container while it works: its limits, its output, and which limit ended it.

The engine's watchdog thread and its output reader share a Watch; an OutputCollector keeps the output within its
byte cap and notes the messages that tell which limit a failing program ran into. Nothing here talks to Docker.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from engine.facts import LogLine
from engine.limits import SandboxLimits, kilobytes
from engine.outcomes import OK_RUN, Outcome, OutcomeKind


@dataclass
class Watch:
    """What a watchdog tracks for one build or run; the reading loop and the watchdog thread share it.

    Only the watchdog thread kills: a kill sent from the thread that reads the output would wait for the daemon
    to finish copying that output, which waits for the reader, until the client times out.
    """

    deadline: float
    check_disk: bool = False  # build steps write to a layer; a running container's root is read-only
    container: str | None = None
    abort: OutcomeKind | None = None
    saw_process_limit: bool = False
    cancel: threading.Event | None = None  # set by whoever wants the work stopped (a learner's Cancel)
    killed: set[str] = field(default_factory=set)
    done: threading.Event = field(default_factory=threading.Event)
    # Called when the work goes on for ABORT_GRACE after it was stopped (a build between two step containers):
    # a build whose connection is dropped is cancelled by the daemon.
    hang_up: Callable[[], None] | None = None
    stopped_at: float | None = None

    def stop(self, reason: OutcomeKind) -> None:
        """Ask the watchdog to kill the current container; the first reason given is the one reported."""
        if self.abort is None:
            self.abort = reason
            self.stopped_at = time.monotonic()


class OutputCollector:
    """Turns byte chunks into lines per stream, keeping at most `limit` bytes and `max_lines` lines in all, and
    notes the messages that tell which limit a failing program ran into."""

    MAX_LINE = 4096
    EVIDENCE = {
        "fork": ("can't fork", "Resource temporarily unavailable", "fork: retry"),
        "file_size": ("File too large", "File size limit exceeded"),
        "disk_full": ("No space left on device",),
    }

    def __init__(self, limit: int, max_lines: int):
        self.limit = limit
        self.max_lines = max_lines
        self.kept = 0
        self.lines = 0
        self.truncated = False
        self.partial: dict[str, bytes] = {}
        self.raw: dict[str, bytearray] = {}
        self.evidence: set[str] = set()

    def saw(self, kind: str) -> bool:
        return kind in self.evidence

    def feed(self, stream: str, chunk: bytes | None) -> list[LogLine]:
        """The lines `chunk` completes. A list, not a generator: `truncated` is known before anyone reads them,
        so the caller can stop the flood at once instead of after its reader has caught up."""
        if not chunk or self.truncated:
            return []
        chunk = self._within_limits(chunk)
        self.kept += len(chunk)
        self.raw.setdefault(stream, bytearray()).extend(chunk)
        data = self.partial.pop(stream, b"") + chunk
        *complete, rest = data.split(b"\n")
        while len(rest) > self.MAX_LINE:
            complete.append(rest[: self.MAX_LINE])
            rest = rest[self.MAX_LINE :]
        if rest:
            self.partial[stream] = rest
        lines = [self._line(stream, raw) for raw in complete]
        if self.truncated:
            lines.extend(self.flush())
        return lines

    def _within_limits(self, chunk: bytes) -> bytes:
        """`chunk` cut at the byte cap and at the end of the last line allowed; sets `truncated` when cut."""
        room = self.limit - self.kept
        if len(chunk) > room:
            chunk, self.truncated = chunk[:room], True
        lines_left = self.max_lines - self.lines
        if chunk.count(b"\n") > lines_left:
            end = -1
            for _ in range(lines_left):
                end = chunk.index(b"\n", end + 1)
            chunk, self.truncated = chunk[: end + 1], True
        self.lines += chunk.count(b"\n")
        return chunk

    def flush(self) -> list[LogLine]:
        return [self._line(stream, self.partial.pop(stream)) for stream in list(self.partial)]

    def kept_detail(self) -> dict[str, int]:
        """How much was kept of a flood, for its message."""
        return {"kept_kb": kilobytes(self.kept), "kept_lines": self.lines}

    def _line(self, stream: str, raw: bytes) -> LogLine:
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        for kind, needles in self.EVIDENCE.items():
            if any(needle in text for needle in needles):
                self.evidence.add(kind)
        return LogLine(stream, text)

    def text(self, stream: str) -> str:
        return bytes(self.raw.get(stream, b"")).decode("utf-8", errors="replace")


def limit_outcome(kind: OutcomeKind, phase: str, limits: SandboxLimits, timeout: float,
                  output: OutputCollector | None = None) -> Outcome:
    detail = {
        OutcomeKind.TIME_LIMIT: {"limit_s": round(timeout, 1)},
        OutcomeKind.OUT_OF_MEMORY: {"limit_mb": limits.memory_mb},
        OutcomeKind.PROCESS_LIMIT: {"limit": limits.pids},
        OutcomeKind.OUTPUT_TRUNCATED: {"limit_kb": limits.output_kb, "limit_lines": limits.output_lines,
                                       **(output.kept_detail() if output else {"kept_kb": 0, "kept_lines": 0})},
        OutcomeKind.DISK_LIMIT: {"limit_mb": limits.build_disk_mb},
        OutcomeKind.FILE_SIZE_LIMIT: {"limit_mb": limits.file_size_mb},
        OutcomeKind.CANCELLED: {},
    }[kind]
    return Outcome(kind, phase, detail)


def run_outcome(
    oom_killed: bool, exit_code: int, watch: Watch, output: OutputCollector, limits: SandboxLimits, timeout: float
) -> Outcome:
    if oom_killed:
        return limit_outcome(OutcomeKind.OUT_OF_MEMORY, "run", limits, timeout)
    if watch.abort is None and exit_code == 0:
        return OK_RUN
    limit = limit_hit(watch, output, killed_by_kernel=False)
    return OK_RUN if limit is None else limit_outcome(limit, "run", limits, timeout, output)


def limit_hit(watch: Watch, output: OutputCollector, *, killed_by_kernel: bool) -> OutcomeKind | None:
    """Which limit ended a build step or container that failed or was stopped, if any did.

    A fork bomb rarely keeps the process table full (its processes die as fast as they fail to fork), so the
    shell's own complaint counts as evidence as much as a full sample. An exceeded `ulimit fsize` shows up as
    EFBIG ("File too large"). An unexplained SIGKILL during a build is the kernel's OOM killer. A fork bomb's
    complaints can flood the output too: the process limit is the cause, the flood only its symptom.
    """
    if watch.abort is OutcomeKind.CANCELLED:
        return watch.abort
    if watch.saw_process_limit or output.saw("fork"):
        return OutcomeKind.PROCESS_LIMIT
    if watch.abort in (OutcomeKind.OUTPUT_TRUNCATED, OutcomeKind.DISK_LIMIT):
        return watch.abort
    if output.saw("file_size"):
        return OutcomeKind.FILE_SIZE_LIMIT
    if watch.abort is not None:
        return watch.abort
    if killed_by_kernel:
        return OutcomeKind.OUT_OF_MEMORY
    return None

