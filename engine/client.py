"""The connection to the Docker daemon, shared by every part of the engine, and the removals they all need.

A daemon that does not answer, or fails on its side, is EngineUnavailable; the learner's own errors pass through.
"""
from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import docker
import requests

from engine.facts import BuildResult

log = logging.getLogger(__name__)

HOST_PATH = re.compile(r"(/var/lib|/run|/proc/self/fd|/sys/fs|/tmp)/[^\s\"':,]*|[^\s\"']*/overlay2/[^\s\"']*")


class EngineUnavailable(Exception):
    """The Docker daemon could not be reached or answered with an error that is not the learner's doing."""


@contextmanager
def engine_errors() -> Iterator[None]:
    """Turn a lost connection or a daemon-side failure into EngineUnavailable; the learner's errors pass through."""
    try:
        yield
    except (requests.ConnectionError, requests.Timeout) as error:
        raise EngineUnavailable(f"the engine did not answer: {error}") from error
    except docker.errors.APIError as error:
        if error.status_code is not None and error.status_code >= 500 and not isinstance(error, docker.errors.NotFound):
            raise EngineUnavailable(f"the engine failed: {error.explanation}") from error
        raise


def without_host_paths(text: str) -> str:
    """A daemon's message with every path on the engine's host (its data root, its run directory) made "…":
    the learner needs the reason, never where the engine keeps its files."""
    return HOST_PATH.sub("…", text)


class Client:
    """One daemon's low-level client, connected on first use, and the clean-up calls every part makes."""

    def __init__(self, docker_host: str):
        self.docker_host = docker_host
        self._api: docker.APIClient | None = None
        self._api_lock = threading.Lock()

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
        with engine_errors():
            return self.api.version()

    def info(self) -> dict[str, Any]:
        with engine_errors():
            return self.api.info()

    def kill(self, container: str) -> None:
        try:
            self.api.kill(container)
        except (docker.errors.APIError, requests.RequestException):
            pass  # it may have exited on its own meanwhile

    def remove_container(self, container: str) -> None:
        try:  # v: the anonymous volumes a VOLUME in the image made (for a container never started) go with it
            self.api.remove_container(container, force=True, v=True)
        except docker.errors.NotFound:
            pass
        except (docker.errors.APIError, requests.RequestException) as error:
            log.warning("could not remove container %s (the reaper will): %s", container[:12], error)

    def remove_volume(self, name: str) -> None:
        try:
            self.api.remove_volume(name, force=True)
        except docker.errors.NotFound:
            pass

    def discard(self, result: BuildResult) -> None:
        """Drop a built or pulled image's attempt tag. Its layers stay behind as the build cache (each stage's
        last layer keeps a `layerlab-cache` tag), which only `prune_cache` shrinks."""
        if result.image:
            self.untag(result.image)

    def untag(self, image: str) -> None:
        """Remove one tag. An image left with no tag goes too, but never the layers below it: a concurrent build
        may be reusing them from the cache this very moment. Missing images are fine."""
        try:
            with engine_errors():
                self.api.remove_image(image, force=True, noprune=True)
        except docker.errors.NotFound:
            pass

    def remove(self, image: str) -> None:
        """Remove an image that is not an attempt's (a registry reference, a cache entry) with the untagged layers
        only it used. Anything still in use or built upon stays: a base image or a cache layer is never forced."""
        try:
            with engine_errors():
                self.api.remove_image(image, force=False, noprune=False)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as error:
            if error.status_code != 409:
                raise
            log.info("kept %s, still in use: %s", image[:24], error.explanation)
