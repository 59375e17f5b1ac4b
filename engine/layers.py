"""An image's layers read as `docker save` streams them: no extraction to disk, memory bounded by the number of
paths, never by their bytes.

The save is one tar holding each layer as a tar of its own; both are read in tarfile's stream mode (`r|`), so a
member's bytes pass through once, hashed in fixed-size chunks, and are never kept. Which layer tar is which diff id,
and which history entries made no layer, is only told by `manifest.json` and the image config, which come last.
"""
from __future__ import annotations

import hashlib
import io
import json
import queue
import tarfile
import threading
from collections.abc import Iterator
from typing import IO, Any

from engine.client import Client, engine_errors
from engine.facts import FileEntry, HistoryStep, LayerIndex, SavedImage
from engine.inspect import ChunkReader

CHUNK = 1024 * 1024
AHEAD = 8  # chunks read from the daemon ahead of the one being indexed: its stream and our hashing overlap
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


class LayerReader:
    """Reads the layers of images on one daemon; nothing it does changes them."""

    def __init__(self, client: Client):
        self.client = client

    def index_layers(self, image: str) -> SavedImage:
        """Every path each filesystem layer of `image` records (files with their sha256, whiteouts, opaque
        directories), oldest layer first, and its history with the entries that made no layer marked."""
        layers: dict[str, tuple[FileEntry, ...]] = {}
        documents: dict[str, Any] = {}
        for name, member in self._save_members(image):
            if _is_layer(name):
                layers[name] = _index_layer(member)
            elif name.endswith(".json") and "/" not in name:
                documents[name] = json.loads(member.read())
        manifest = documents["manifest.json"][0]
        config = documents[manifest["Config"]] if manifest["Config"] in documents else {}
        diff_ids = config.get("rootfs", {}).get("diff_ids", [])
        return SavedImage(
            layers=tuple(LayerIndex(diff_id, layers.get(name, ()))
                         for name, diff_id in zip(manifest["Layers"], diff_ids, strict=True)),
            history=tuple(HistoryStep(entry.get("created_by", ""), not entry.get("empty_layer", False))
                          for entry in config.get("history", [])),
        )

    def read_layer_file(self, image: str, diff_id: str, path: str, max_bytes: int) -> tuple[bytes, int] | None:
        """The first `max_bytes` of a regular file as layer `diff_id` of `image` records it, with its whole size;
        None if that layer holds no such file. The layer is known by hashing each layer tar as it passes."""
        for name, member in self._save_members(image):
            if not _is_layer(name):
                continue
            digest = hashlib.sha256()
            found = _find_in_layer(_Hashing(member, digest), path, max_bytes)
            if found is not None and f"sha256:{digest.hexdigest()}" == diff_id:
                return found
        return None

    def _save_members(self, image: str) -> Iterator[tuple[str, IO[bytes]]]:
        """The save's regular files, each readable only until the next one is asked for."""
        with engine_errors():
            chunks = self.client.api.get_image(image, chunk_size=CHUNK)
            stream = io.BufferedReader(ChunkReader(_read_ahead(chunks)), buffer_size=CHUNK)
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                for member in archive:
                    if member.isfile():
                        yield member.name, archive.extractfile(member)


def _read_ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, received by a thread of their own up to AHEAD chunks ahead, so the daemon keeps sending while
    this thread hashes (hashlib lets go of the GIL). An error in the receiving thread is raised here."""
    received: queue.Queue = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    done = object()

    def receive() -> None:
        try:
            for chunk in chunks:
                if stop.is_set():
                    return
                received.put(chunk)
            received.put(done)
        except BaseException as error:  # handed to the reader, which raises it
            received.put(error)

    threading.Thread(target=receive, name="save-reader", daemon=True).start()
    try:
        while (item := received.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while not received.empty():  # unblock a receiver waiting to put, so that it sees `stop`
            received.get_nowait()


class _Hashing(io.RawIOBase):
    """Reads a file object through, feeding every byte read to `digest`; reads what is left at close."""

    def __init__(self, source: IO[bytes], digest: Any):
        self.source, self.digest = source, digest

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        data = self.source.read(len(target))
        self.digest.update(data)
        target[:len(data)] = data
        return len(data)

    def drain(self) -> None:
        while self.read(CHUNK):
            pass


def _is_layer(name: str) -> bool:
    """A layer tar of the save: `<id>/layer.tar` from Docker 20.10's save, `blobs/sha256/…` from an OCI layout
    (which also holds the config and manifests there: those are not tars, and `_find_in_layer` passes them by)."""
    return name.endswith("/layer.tar") or name.startswith("blobs/")


def _index_layer(layer: IO[bytes]) -> tuple[FileEntry, ...]:
    try:
        with tarfile.open(fileobj=layer, mode="r|") as archive:
            return tuple(_entry(member, archive) for member in archive)
    except tarfile.ReadError:  # an OCI layout's config or manifest blob: JSON, not a layer
        return ()


def _entry(member: tarfile.TarInfo, archive: tarfile.TarFile) -> FileEntry:
    path = member.name.removeprefix("./").rstrip("/")
    directory, _, name = path.rpartition("/")
    if name == OPAQUE:
        return FileEntry(directory, "opaque", 0, member.mode)
    if name.startswith(WHITEOUT):
        hidden = name.removeprefix(WHITEOUT)
        return FileEntry(f"{directory}/{hidden}" if directory else hidden, "whiteout", 0, member.mode)
    if member.isfile():
        return FileEntry(path, "file", member.size, member.mode, _sha256(archive.extractfile(member)))
    if member.isdir():
        return FileEntry(path, "dir", 0, member.mode)
    if member.issym() or member.islnk():
        return FileEntry(path, "symlink" if member.issym() else "hardlink", 0, member.mode, link=member.linkname)
    return FileEntry(path, "other", 0, member.mode)


def _sha256(content: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := content.read(CHUNK):
        digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def _find_in_layer(layer: _Hashing, path: str, max_bytes: int) -> tuple[bytes, int] | None:
    """Look for `path` in a layer tar (or in any file of the save: what is not a tar holds no paths), reading the
    whole of it so that its digest is complete."""
    found = None
    try:
        with tarfile.open(fileobj=io.BufferedReader(layer, buffer_size=CHUNK), mode="r|") as archive:
            for member in archive:
                if found is None and member.isfile() and member.name.removeprefix("./") == path:
                    found = archive.extractfile(member).read(max_bytes), member.size
    except tarfile.ReadError:
        found = None
    layer.drain()
    return found
