"""The sandbox engine: the only door to Docker, one facade over the parts that each own one concern.

Everything a learner submits is built and run here, on the project's own Docker daemon, under the limits of
`SandboxLimits`. The rest of the code never sees Docker objects: it gets events while work streams, and facts
(BuildResult, RunResult, ImageFacts, StopResult) when it ends.

    engine = Engine.from_settings()
    for event in engine.build({"Dockerfile": b"FROM layerlab/busybox\\n"}, allowed_bases=["layerlab/busybox"]):
        ...                       # BuildStep, StepFinished, LogLine ... and last a BuildResult
    for event in engine.run(result.image, ["echo", "hi"]):
        ...                       # OutputLine ... and last a RunResult

Both generators also *return* their result, so `result = yield from engine.build(...)` works too.

The parts: the connection and removals (client), build (build), run and stop (run), inspect (inspect), the
layers as `docker save` streams them (layers), push and pull (transfer), the course's base images (bases), the
reaper (reap); the watchdog and the labels serve them.
Callers import every name they need from here.
"""
from __future__ import annotations

import docker

from engine.bases import BaseImageRefused, BaseImages
from engine.build import ANSI_COLOUR, CONTEXT_MTIME, Builder, build_context, labelled
from engine.cacheguard import CacheGuard
from engine.client import Client, EngineUnavailable, without_host_paths
from engine.facts import BuildResult, BuildStep, LogLine, Phase, ReapReport, RunResult, StepFinished
from engine.inspect import Inspector
from engine.labels import (
    ATTEMPT_REPOSITORY,
    CACHE_REPOSITORY,
    LABEL_ATTEMPT,
    LABEL_CREATED,
    LABEL_RECIPE,
    LABEL_ROLE,
    attempt_tag,
)
from engine.layers import LayerReader
from engine.limits import MB, SandboxLimits
from engine.reap import Reaper
from engine.run import Runner, runtime_reason, start_advice
from engine.transfer import Transfers, progress, throttled
from engine.watchdog import Watchdog

__all__ = [  # what the rest of the project imports from the engine
    "ANSI_COLOUR", "ATTEMPT_REPOSITORY", "CACHE_REPOSITORY", "CONTEXT_MTIME", "LABEL_ATTEMPT", "LABEL_CREATED",
    "LABEL_RECIPE", "LABEL_ROLE", "MB", "BaseImageRefused", "BuildResult", "BuildStep", "Engine", "EngineUnavailable",
    "LogLine", "Phase", "ReapReport", "RunResult", "StepFinished", "attempt_tag", "build_context", "labelled",
    "progress", "runtime_reason", "start_advice", "throttled", "without_host_paths",
]


class Engine:
    """Hardened build / run / inspect / stop / transfer / reap on one Docker daemon.

    Each operation is the bound method of the part that owns it, so its signature and documentation live in one
    place; the parts share one client, and none of them reaches into another.
    """

    def __init__(self, docker_host: str, limits: SandboxLimits | None = None):
        self.docker_host = docker_host
        self.limits = limits or SandboxLimits()
        self.cache_guard = CacheGuard.for_engine(docker_host)
        self.client = Client(docker_host)
        self.inspector = Inspector(self.client)
        watchdog = Watchdog(self.client)
        self.builder = Builder(self.client, self.inspector, watchdog, self.cache_guard, self.limits)
        self.runner = Runner(self.client, self.inspector, watchdog, self.limits)
        self.transfers = Transfers(self.client, self.inspector)
        self.bases = BaseImages(self.client, self.inspector)
        self.reaper = Reaper(self.client, self.cache_guard)
        self.layers = LayerReader(self.client)

        self.version, self.info = self.client.version, self.client.info
        self.discard, self.untag, self.remove = self.client.discard, self.client.untag, self.client.remove
        self.build = self.builder.build
        self.run, self.stop_time, self.main_process = self.runner.run, self.runner.stop_time, self.runner.main_process
        self.inspect, self.inspect_raw = self.inspector.inspect, self.inspector.inspect_raw
        self.image_exists, self.read_paths = self.inspector.image_exists, self.inspector.read_paths
        self.layer_listing = self.inspector.layer_listing
        self.index_layers, self.read_layer_file = self.layers.index_layers, self.layers.read_layer_file
        self.push, self.pull = self.transfers.push, self.transfers.pull
        self.import_base_image, self.pull_base_image = self.bases.import_base_image, self.bases.pull_base_image
        self.refuse_onbuild, self.base_images = self.bases.refuse_onbuild, self.bases.base_images
        self.reap, self.prune_cache = self.reaper.reap, self.reaper.prune_cache

    @classmethod
    def from_settings(cls) -> Engine:
        from django.conf import settings

        return cls(settings.SANDBOX_DOCKER_HOST, SandboxLimits.from_settings())

    @property
    def api(self) -> docker.APIClient:
        """The low-level client, connected on first use; EngineUnavailable when the daemon does not answer."""
        return self.client.api
