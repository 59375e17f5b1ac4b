"""What an image's layers change, what they waste, and the filesystem they make together: pure functions of the
layer indexes the engine reads (`engine.facts.SavedImage`), nothing here talks to Docker.

Layers are applied oldest first, as overlayfs stacks them: a layer's deletions (`.wh.<name>` whiteouts and
`.wh..wh..opq` opaque directories) hide what the layers *below* it hold, then its own entries are laid on top.
Bytes a lower layer holds for a path that a later layer deletes or overwrites still ship with the image: wasted.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from engine.facts import FileEntry, SavedImage

SANDBOX_LABEL = "org.layerlab.sandbox."  # the LABEL step the sandbox appends to every build: not the learner's
NOP = re.compile(r"^/bin/sh -c #\(nop\)\s+")


@dataclass(frozen=True)
class DockerfileStep:
    """An instruction of the Dockerfile's last stage after its FROM, as the builder runs them."""

    instruction: str
    line: int


@dataclass
class Layer:
    instruction: str
    line: int | None  # the Dockerfile line, for the steps of the learner's own Dockerfile
    diff_id: str | None  # None: the instruction changed only the image's config (CMD, ENV, …)
    size: int = 0
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    from_base: bool = False

    @property
    def metadata_only(self) -> bool:
        return self.diff_id is None

    def as_dict(self) -> dict:
        return {"instruction": self.instruction, "line": self.line, "diff_id": self.diff_id, "size": self.size,
                "metadata_only": self.metadata_only, "from_base": self.from_base,
                "added": self.added, "modified": self.modified, "deleted": self.deleted}


@dataclass(frozen=True)
class Waste:
    """`size` bytes of `path` that layer `layer` ships although layer `by` deletes or overwrites them."""

    path: str
    size: int
    layer: int
    by: int
    how: str  # "deleted" or "overwritten"


@dataclass(frozen=True)
class UnionEntry:
    path: str
    kind: str
    size: int
    layer: int  # the layer (index into the layer list) it comes from
    hides: tuple[tuple[int, int], ...] = ()  # (layer, size) of each lower entry of the same path it hides


@dataclass
class Exploration:
    layers: list[Layer]
    union: dict[str, UnionEntry]
    waste: list[Waste]
    efficiency: float

    @property
    def wasted_bytes(self) -> int:
        return sum(item.size for item in self.waste)

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)


def explore(saved: SavedImage, steps: Sequence[DockerfileStep] = ()) -> Exploration:
    """The layer table, the waste and the union filesystem of an image. `steps` are the learner's Dockerfile
    steps, matched to the newest history entries: the steps of a Dockerfile come last in its image's history."""
    layers = _layers(saved, steps)
    stacker = _Stacker()
    indexes = iter(saved.layers)
    for number, layer in enumerate(layers):
        if not layer.metadata_only:
            stacker.apply(number, layer, next(indexes).entries)
    return Exploration(layers, stacker.union, stacker.waste, stacker.efficiency())


def instruction_text(created_by: str) -> str:
    """The Dockerfile instruction a history entry records: `#(nop)` entries name it, other entries are RUN."""
    if NOP.match(created_by):
        return NOP.sub("", created_by).strip()
    if created_by.startswith("/bin/sh -c "):
        return "RUN " + created_by.removeprefix("/bin/sh -c ")
    return created_by.strip()


def _layers(saved: SavedImage, steps: Sequence[DockerfileStep]) -> list[Layer]:
    history = [entry for entry in saved.history if SANDBOX_LABEL not in entry.created_by]
    if len([entry for entry in saved.history if entry.made_layer]) != len(saved.layers):
        history = [_Unrecorded() for _ in saved.layers]  # an image imported without a history
    diff_ids = iter(layer.diff_id for layer in saved.layers)
    first_step = len(history) - len(steps)
    layers = []
    for number, entry in enumerate(history):
        step = steps[number - first_step] if number >= first_step and steps else None
        layers.append(Layer(
            instruction=step.instruction if step else instruction_text(entry.created_by),
            line=step.line if step else None,
            diff_id=next(diff_ids) if entry.made_layer else None,
            from_base=bool(steps) and number < first_step,
        ))
    return layers


class _Unrecorded:
    created_by = ""
    made_layer = True


class _Stacker:
    """Applies layers one by one, keeping the merged filesystem, the bytes wasted and dive's efficiency sums."""

    def __init__(self):
        self.union: dict[str, UnionEntry] = {}
        self.waste: list[Waste] = []
        self.cumulative: dict[str, int] = {}  # path -> bytes of every version of it, deletions counted
        self.smallest: dict[str, int] = {}  # path -> its smallest version

    def apply(self, number: int, layer: Layer, entries: Iterable[FileEntry]) -> None:
        entries = list(entries)
        for entry in entries:
            if entry.deletes:
                self._delete(number, layer, entry)
        for entry in entries:
            if not entry.deletes:
                self._lay(number, layer, entry)

    def _delete(self, number: int, layer: Layer, entry: FileEntry) -> None:
        prefix = f"{entry.path}/"
        hidden = [path for path in self.union
                  if path.startswith(prefix) or (entry.kind == "whiteout" and path == entry.path)]
        freed = 0
        for path in hidden:
            below = self.union.pop(path)
            freed += below.size
            self._waste(below, number, "deleted")
        layer.deleted.append(entry.path)
        self._count(entry.path, freed)

    def _lay(self, number: int, layer: Layer, entry: FileEntry) -> None:
        below = self.union.get(entry.path)
        layer.size += entry.size
        if below is None:
            layer.added.append(entry.path)
        elif entry.kind != "dir":  # a layer records every directory above a path it changes: not a change itself
            layer.modified.append(entry.path)
            self._waste(below, number, "overwritten")
        hides = ((*below.hides, (below.layer, below.size)) if below else ())
        self.union[entry.path] = UnionEntry(entry.path, entry.kind, entry.size, number, hides)
        self._count(entry.path, entry.size)

    def _waste(self, below: UnionEntry, number: int, how: str) -> None:
        if below.size:
            self.waste.append(Waste(below.path, below.size, below.layer, number, how))

    def _count(self, path: str, size: int) -> None:
        self.cumulative[path] = self.cumulative.get(path, 0) + size
        self.smallest[path] = min(self.smallest.get(path, size), size)

    def efficiency(self) -> float:
        """dive's score: the bytes of the smallest version of each path over the bytes of all its versions."""
        everything = sum(self.cumulative.values())
        return sum(self.smallest.values()) / everything if everything else 1.0
