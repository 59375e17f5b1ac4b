"""Layer indexes kept on disk per layer digest, so that a layer shared by many images (a course base image, a
learner's cached step) is read from the engine once.

    <LAYERLAB_STATE_DIR>/insight/layers/<diff id hex>.json.gz   the layer's entries
    <LAYERLAB_STATE_DIR>/insight/images/<image id hex>.json     the image's diff ids and history

Both are named by content digests, so an entry never goes stale; a file written half is replaced atomically.
"""
from __future__ import annotations

import gzip
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from django.conf import settings

from engine.engine import Engine
from engine.facts import FileEntry, HistoryStep, LayerIndex, SavedImage


def saved_image(engine: Engine, image: str) -> SavedImage:
    """The layers and history of `image`, from the store when every part of it is there, else from the engine."""
    image_id = engine.inspect_raw(image)["Id"]
    cached = _load(image_id)
    if cached is not None:
        return cached
    saved = engine.index_layers(image)
    _store(image_id, saved)
    return saved


def _root() -> Path:
    return Path(settings.STATE_DIR) / "insight"


def _hex(digest: str) -> str:
    return digest.removeprefix("sha256:")


def _layer_path(diff_id: str) -> Path:
    return _root() / "layers" / f"{_hex(diff_id)}.json.gz"


def _image_path(image_id: str) -> Path:
    return _root() / "images" / f"{_hex(image_id)}.json"


def _load(image_id: str) -> SavedImage | None:
    try:
        document = json.loads(_image_path(image_id).read_text())
        layers = tuple(LayerIndex(diff_id, _load_layer(diff_id)) for diff_id in document["diff_ids"])
    except (OSError, ValueError, KeyError):
        return None
    return SavedImage(layers, tuple(HistoryStep(**step) for step in document["history"]))


def _load_layer(diff_id: str) -> tuple[FileEntry, ...]:
    with gzip.open(_layer_path(diff_id), "rt") as stored:
        return tuple(FileEntry(*row) for row in json.load(stored))


def _store(image_id: str, saved: SavedImage) -> None:
    for layer in saved.layers:
        if not _layer_path(layer.diff_id).exists():
            rows = [[e.path, e.kind, e.size, e.mode, e.digest, e.link] for e in layer.entries]
            _write(_layer_path(layer.diff_id), gzip.compress(json.dumps(rows).encode(), compresslevel=3))
    document = {"diff_ids": [layer.diff_id for layer in saved.layers],
                "history": [asdict(step) for step in saved.history]}
    _write(_image_path(image_id), json.dumps(document).encode())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as part:
        part.write(data)
    os.replace(part.name, path)
