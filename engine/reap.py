"""Removing what ended work left behind, and keeping the build cache within its budget."""
from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

import docker

from engine.cacheguard import CacheBusy, CacheGuard
from engine.client import Client, engine_errors
from engine.facts import ReapReport
from engine.labels import ATTEMPT_REPOSITORY, CACHE_REPOSITORY, LABEL_ROLE, is_base

log = logging.getLogger(__name__)

ANONYMOUS_VOLUME = re.compile(r"^[0-9a-f]{64}$")
CACHE_PRUNE_WAIT = 10.0  # seconds a prune waits for running builds to end before it gives up until the next sweep


class Reaper:
    """Finds the sandbox's leftovers on one daemon by their labels and names, never anything else's."""

    def __init__(self, client: Client, cache_guard: CacheGuard):
        self.client = client
        self.cache_guard = cache_guard

    def reap(self, *, older_than: float, cache_budget_bytes: int | None = None) -> ReapReport:
        """Remove what ended work left behind: sandbox containers and attempt tags older than `older_than`
        seconds, with their anonymous volumes, and unused volumes; then prune the build cache to its budget."""
        cutoff = time.time() - older_than
        with engine_errors():
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
            with self.cache_guard.pruning(wait), engine_errors():
                pruned = self.client.api.prune_images(filters={
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
        left = before  # measured again only after a removal: the engine's disk usage is a costly call
        for entry in sorted(self.client.api.images(name=CACHE_REPOSITORY), key=self._last_tagged):
            # A zero budget keeps nothing, not even entries that add no bytes (a stage of ENV and CMD alone).
            if budget and left <= budget:
                break
            for tag in entry.get("RepoTags") or []:
                self.client.remove(tag)
            removed += 1
            left = self._cache_bytes()
        return removed, max(before - left, 0)

    def _last_tagged(self, image: dict[str, Any]) -> str:
        # RFC 3339 times in UTC sort as text; an image removed meanwhile sorts first and is skipped.
        try:
            return (self.client.api.inspect_image(image["Id"]).get("Metadata") or {}).get("LastTagTime") or ""
        except docker.errors.NotFound:
            return ""

    def _cache_bytes(self) -> int:
        """Bytes of image layers on the engine, the course's base images left out."""
        usage = self.client.api.df()
        bases = sum(image["Size"] for image in usage.get("Images") or [] if is_base(image))
        return max((usage.get("LayersSize") or 0) - bases, 0)

    def _reap_containers(self, cutoff: float) -> int:
        # Build-step containers inherit LABEL_ROLE from the base image, so they are found here too.
        containers = self.client.api.containers(all=True, filters={"label": LABEL_ROLE})
        stale = [container for container in containers if container["Created"] < cutoff]
        for container in stale:
            self.client.remove_container(container["Id"])
        return len(stale)

    def _reap_volumes(self, cutoff: float) -> int:
        """Unused volumes the sandbox made (labelled), and unused anonymous ones a crash left (a daemon-chosen
        64-hex name) once older than `cutoff`: a volume someone named on a shared engine is never touched."""
        unused = self.client.api.volumes(filters={"dangling": True}).get("Volumes") or []
        stale = [volume["Name"] for volume in unused
                 if LABEL_ROLE in (volume.get("Labels") or {})
                 or (ANONYMOUS_VOLUME.match(volume["Name"]) and _unix_time(volume.get("CreatedAt")) < cutoff)]
        for name in stale:
            self.client.remove_volume(name)
        return len(stale)

    def _reap_attempt_tags(self, cutoff: float) -> int:
        """Attempt tags whose attempt crashed before its clean-up: only the tag goes, the layers are cache."""
        stale = [image for image in self.client.api.images(name=ATTEMPT_REPOSITORY) if image["Created"] < cutoff]
        for image in stale:
            for tag in image.get("RepoTags") or []:
                self.client.untag(tag)
        return len(stale)


def _unix_time(rfc3339: str | None) -> float:
    """The daemon's CreatedAt ("2026-12-02T05:16:28Z", sometimes with nanoseconds or an offset) as unix time."""
    if not rfc3339:
        return 0.0
    text = re.sub(r"(\.\d+)", "", rfc3339).replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0
