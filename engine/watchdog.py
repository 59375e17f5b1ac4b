"""The watchdog of a build or a run: the wall clock, a build step's disk budget and fork bombs, in a thread."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import docker
import requests

from engine.client import Client
from engine.limits import MB, SandboxLimits
from engine.outcomes import OutcomeKind
from engine.watch import Watch

WATCHDOG_PERIOD = 0.25
SAMPLE_EVERY = 4  # disk and process samples every SAMPLE_EVERY watchdog ticks: they cost a daemon call each
KILL_GRACE = 5.0  # seconds a killed build may take to report its failure before the connection is dropped
ABORT_GRACE = 1.0  # seconds a stopped build may go on (between step containers) before its connection is dropped


class Watchdog:
    """Stops the container a Watch follows when a limit is hit, the learner cancels or time runs out."""

    def __init__(self, client: Client):
        self.client = client

    @contextmanager
    def watching(self, watch: Watch, limits: SandboxLimits) -> Iterator[Watch]:
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
                    self.client.kill(container)
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
        api = self.client.api
        stats = api.stats(container, stream=False, one_shot=True)
        if (stats.get("pids_stats") or {}).get("current", 0) >= limits.pids - 1:
            watch.saw_process_limit = True
        if not watch.check_disk:
            return
        listed = api.containers(all=True, size=True, filters={"id": container})
        if listed and (listed[0].get("SizeRw") or 0) > limits.build_disk_mb * MB:
            watch.stop(OutcomeKind.DISK_LIMIT)
