"""Pushing to and pulling from a registry with the owner's credentials, and the thinning of layer progress.

A pulled image is kept like a build: under an attempt tag, with the sandbox's labels.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import docker
import requests

from engine.build import relabel
from engine.client import Client, EngineUnavailable, engine_errors
from engine.facts import BuildResult, LayerProgress, Phase, RunResult, TransferResult
from engine.inspect import Inspector
from engine.labels import attempt_labels, attempt_tag
from engine.outcomes import Outcome, OutcomeKind, rejected
from engine.rules import SubmissionRejected

log = logging.getLogger(__name__)

LAYER_PROGRESS_EVERY = 0.5  # seconds between two progress events of one layer with the same status
REGISTRY_DOWN = re.compile(r"connection refused|no such host|i/o timeout|connection reset|EOF|50[0-9] ")


class Transfers:
    """Moves images between one daemon and a registry; every extra tag a transfer makes is removed after."""

    def __init__(self, client: Client, inspector: Inspector):
        self.client = client
        self.inspector = inspector

    def push(
        self, image: str, reference: str, *, credentials: tuple[str, str], cancel: threading.Event | None = None,
    ) -> Iterator[LayerProgress | TransferResult]:
        """Push `image` as `reference` (registry/name:tag) with the owner's `credentials`. Yields layer progress,
        then a TransferResult with the manifest's digest, which it also returns. The extra tag is removed after."""
        repository, _, tag = reference.rpartition(":")
        try:
            with engine_errors():
                self.client.api.tag(image, repository, tag)
            api = self.client.api
            result = yield from progress(throttled(self._transfer(
                lambda: api.push(repository, tag=tag, stream=True, decode=True, auth_config=_auth(credentials)),
                reference, "push", cancel)))
        finally:
            self.client.remove(reference)
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
                lambda: self.client.api.pull(reference, stream=True, decode=True, auth_config=_auth(credentials)),
                reference, "pull", cancel)))
            if result.outcome.ok and self.inspector.inspect_raw(reference)["Config"].get("OnBuild"):
                # Building on it would run the learner's triggers outside the limits of a build.
                result = replace(result, outcome=rejected(SubmissionRejected("published-onbuild",
                                                                             reference=reference)))
            elif result.outcome.ok:
                result = replace(result, image=self._adopt(reference, attempt_tag(attempt_id)))
        finally:
            self.client.remove(reference)
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
        relabel(self.client, reference, tag, attempt_labels(tag))
        return tag


def _auth(credentials: tuple[str, str]) -> dict[str, str]:
    username, password = credentials
    return {"username": username, "password": password}


def _transfer_failure(message: str, reference: str, phase: str) -> Outcome:
    """What the daemon's push or pull error means for the learner."""
    if "manifest unknown" in message or "not found" in message.lower():
        return Outcome(OutcomeKind.NOT_PUBLISHED, phase, {"reference": reference})
    if REGISTRY_DOWN.search(message):
        log.warning("%s of %s failed for want of a registry: %s", phase, reference, message)
        return Outcome(OutcomeKind.REGISTRY_UNAVAILABLE, phase)
    reason = message.strip().rstrip(".") + "."
    return Outcome(OutcomeKind.REGISTRY_DENIED, phase, {"reference": reference, "reason": reason})


def progress(stream: Iterator[Any], phase: Phase | None = None) -> Iterator[Any]:
    """Pass on the progress events of `build`, `run`, `push` or `pull` and return their result, which they yield
    last: `result = yield from progress(engine.build(...))`. With a `phase`, announce it first, so that whoever
    shows the events can say what is under way even while the work prints nothing."""
    if phase is not None:
        yield phase
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

