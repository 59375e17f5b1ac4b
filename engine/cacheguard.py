"""Who may touch the engine's build cache: every build shares it, a prune of the cache takes it alone.

A build that reuses a cached layer creates its next step on top of it a moment later. Removing that layer in
between fails the build ("unknown parent image ID"), so cache layers are only ever removed while no build runs.
Two `flock`s on files beside each other make that hold across threads, worker processes and the sweeper:

- the *gate*: a build passes it (shared, for an instant) before it starts; a prune holds it (exclusive) while it
  waits, so that new builds queue behind the prune instead of starving it;
- the *cache* lock: held shared by every running build, exclusive by the prune.

Locks on one file taken through different open files exclude each other even inside one process, which is why
every build and every prune opens the files anew.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRUNE_POLL = 0.05


class CacheBusy(Exception):
    """A prune could not get the cache to itself in time: builds kept it busy. The next sweep tries again."""


class CacheGuard:
    def __init__(self, directory: Path):
        directory.mkdir(parents=True, exist_ok=True)
        self.gate_path = directory / "gate.lock"
        self.cache_path = directory / "cache.lock"

    @classmethod
    def for_engine(cls, docker_host: str, directory: str | None = None) -> CacheGuard:
        """The guard of one engine: every process on this host that uses that engine finds the same files."""
        digest = hashlib.sha256(docker_host.encode()).hexdigest()[:16]
        return cls(Path(directory or tempfile.gettempdir()) / f"layerlab-build-cache-{digest}")

    @contextmanager
    def building(self) -> Iterator[None]:
        """Held for the whole of one build."""
        with _locked(self.gate_path, fcntl.LOCK_SH):
            cache = _open(self.cache_path)
            fcntl.flock(cache, fcntl.LOCK_SH)
        try:
            yield
        finally:
            os.close(cache)  # closing the file drops its lock

    @contextmanager
    def pruning(self, wait: float) -> Iterator[None]:
        """Held while cache layers are removed; CacheBusy when the running builds do not end within `wait` s."""
        deadline = time.monotonic() + wait
        with _locked(self.gate_path, fcntl.LOCK_EX):
            cache = _open(self.cache_path)
            try:
                while not _try_lock(cache, fcntl.LOCK_EX):
                    if time.monotonic() > deadline:
                        raise CacheBusy(f"builds kept the cache busy for {wait} s")
                    time.sleep(PRUNE_POLL)
                yield
            finally:
                os.close(cache)


def _open(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


@contextmanager
def _locked(path: Path, mode: int) -> Iterator[None]:
    descriptor = _open(path)
    try:
        fcntl.flock(descriptor, mode)
        yield
    finally:
        os.close(descriptor)


def _try_lock(descriptor: int, mode: int) -> bool:
    try:
        fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
