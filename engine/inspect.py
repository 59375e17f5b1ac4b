"""What an image is: the daemon's description, its history, the files at given paths, its layers' listings."""
from __future__ import annotations

import hashlib
import io
import json
import posixpath
import tarfile
from collections.abc import Collection, Iterator
from dataclasses import replace
from typing import Any

import docker

from engine.client import Client, engine_errors
from engine.facts import ImageFacts, LayerEntry, LayerListing, PathFact, image_facts
from engine.labels import attempt_labels


class Inspector:
    """Reads images on one daemon; nothing it does changes them."""

    def __init__(self, client: Client):
        self.client = client

    def inspect(self, image: str) -> ImageFacts:
        details = self.inspect_raw(image)
        with engine_errors():
            history = self.client.api.history(image)
        return image_facts(details, history)

    def inspect_raw(self, image: str) -> dict[str, Any]:
        """The daemon's own description of an image, for the one field a caller needs (an id, a label, triggers)."""
        with engine_errors():
            return self.client.api.inspect_image(image)

    def image_exists(self, image: str) -> bool:
        try:
            self.inspect_raw(image)
        except docker.errors.ImageNotFound:
            return False
        return True

    def read_paths(self, image: str, paths: Collection[str], *, max_bytes: int = 256 * 1024) -> dict[str, PathFact]:
        """What each path is in the image's final filesystem, read from a container that is never started."""
        with engine_errors():
            container = self.client.api.create_container(
                image, command=["/layerlab-never-started"], labels=attempt_labels(image), network_disabled=True,
            )["Id"]
        try:
            return {path: self._read_path(container, path, max_bytes) for path in paths}
        finally:
            self.client.remove_container(container)

    def _read_path(self, container: str, path: str, max_bytes: int, follow: int = 3) -> PathFact:
        try:
            with engine_errors():
                chunks, stat = self.client.api.get_archive(container, path)
        except docker.errors.NotFound:
            return PathFact(path, exists=False)
        link = stat.get("linkTarget")
        if link and follow:
            target = link if link.startswith("/") else posixpath.join(posixpath.dirname(path), link)
            return replace(self._read_path(container, target, max_bytes, follow - 1), path=path)
        mode = stat["mode"] & 0o7777
        if stat["mode"] & (1 << 31):  # Go's os.ModeDir, as the API reports it
            return PathFact(path, exists=True, is_dir=True, mode=mode)
        content, digest = _first_file(ChunkReader(chunks), max_bytes)
        return PathFact(path, exists=True, size=stat["size"], content=content, truncated=stat["size"] > max_bytes,
                        mode=mode, digest=digest)

    def layer_listing(self, image: str) -> list[LayerListing]:
        """The paths in each filesystem layer of `image`, from `docker save`, oldest layer first."""
        with engine_errors():
            return _listings_from_save(ChunkReader(self.client.api.get_image(image, chunk_size=1024 * 1024)))


class ChunkReader(io.RawIOBase):
    """A file object over a generator of byte chunks, so tarfile can stream what the daemon sends."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            self._buffer = next(self._chunks, None)
            if self._buffer is None:
                self._buffer = b""
                return 0
        size = min(len(target), len(self._buffer))
        target[:size], self._buffer = self._buffer[:size], self._buffer[size:]
        return size


def _first_file(stream: io.RawIOBase, max_bytes: int) -> tuple[bytes | None, str | None]:
    """The first `max_bytes` of the archive's first member, if it is a regular file, and the sha256 of all of it."""
    with tarfile.open(fileobj=io.BufferedReader(stream), mode="r|") as archive:
        for member in archive:
            if not member.isfile():
                return None, None
            content = archive.extractfile(member)
            head = content.read(max_bytes)
            digest = hashlib.sha256(head)
            while chunk := content.read(1024 * 1024):
                digest.update(chunk)
            return head, f"sha256:{digest.hexdigest()}"
    return None, None


def _listings_from_save(stream: io.RawIOBase) -> list[LayerListing]:
    layers: dict[str, tuple[LayerEntry, ...]] = {}
    documents: dict[str, Any] = {}
    with tarfile.open(fileobj=io.BufferedReader(stream, buffer_size=1024 * 1024), mode="r|") as archive:
        for member in archive:
            if member.name.endswith("/layer.tar"):
                layers[member.name] = _layer_entries(archive.extractfile(member))
            elif member.name.endswith(".json") and "/" not in member.name:
                documents[member.name] = json.loads(archive.extractfile(member).read())
    manifest = documents["manifest.json"][0]
    config = documents[manifest["Config"]]
    made_layers = [entry.get("created_by", "") for entry in config.get("history", []) if not entry.get("empty_layer")]
    diff_ids = config["rootfs"]["diff_ids"]
    made_layers = made_layers[-len(diff_ids):] if len(made_layers) >= len(diff_ids) else [""] * len(diff_ids)
    return [
        LayerListing(diff_id, created_by, layers[name])
        for name, diff_id, created_by in zip(manifest["Layers"], diff_ids, made_layers, strict=True)
    ]


def _layer_entries(layer) -> tuple[LayerEntry, ...]:
    entries = []
    with tarfile.open(fileobj=layer, mode="r|") as archive:
        for member in archive:
            directory, _, name = member.name.removeprefix("./").rpartition("/")
            if name.startswith(".wh."):
                hidden = name.removeprefix(".wh.")
                path = f"{directory}/{hidden}" if directory else hidden
                entries.append(LayerEntry(path, 0, whiteout=True))
            elif not member.isdir():
                entries.append(LayerEntry(member.name.removeprefix("./"), member.size))
    return tuple(entries)
