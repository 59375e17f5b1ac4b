"""Facts about builds, runs and images, as plain data: what the engine reports and what grading judges.

Nothing here talks to Docker; `image_facts` turns the daemon's JSON into ImageFacts.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.outcomes import Outcome
from engine.rules import RESERVED_LABEL_PREFIX


@dataclass(frozen=True)
class BuildStep:
    """A build step started: step `number` of `total`, from Dockerfile `line`."""

    number: int
    total: int
    instruction: str
    line: int | None


@dataclass(frozen=True)
class Phase:
    """Work of one kind began: "build", "run", "check", "push" or "pull" (the phases outcomes name), with the
    wall-clock seconds it is allowed (None where no time limit of the sandbox applies)."""

    name: str
    limit: float | None = None


@dataclass(frozen=True)
class StepFinished:
    number: int
    cached: bool
    seconds: float


@dataclass(frozen=True)
class LogLine:
    """A line printed by a build step (stream "build") or a container (stream "stdout" / "stderr")."""

    stream: str
    text: str


@dataclass(frozen=True)
class Advice:
    """A plain explanation of a failure whose own words say little to a learner, in every course language."""

    message: dict[str, str]


@dataclass(frozen=True)
class StepRecord:
    number: int
    instruction: str
    line: int | None
    cached: bool
    seconds: float
    image: str | None = None  # the image this step ended with (for FROM, the stage's base image)


@dataclass(frozen=True)
class BuildResult:
    outcome: Outcome
    image: str | None = None  # the server-chosen tag, when the build succeeded
    image_id: str | None = None
    steps: tuple[StepRecord, ...] = ()
    duration: float = 0.0
    output_truncated: bool = False
    log: str = ""


@dataclass(frozen=True)
class RunResult:
    outcome: Outcome
    exit_code: int | None = None
    oom_killed: bool = False
    timed_out: bool = False
    duration: float = 0.0
    output_truncated: bool = False
    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class StopResult:
    """How a container took `docker stop`: seconds from the request to exit, and whether SIGKILL was needed."""

    seconds: float
    killed: bool
    exit_code: int | None
    output: str
    start_error: Outcome | None = None  # the runtime refused to start the container (a run_error)
    exited_early: bool = False  # it was no longer running when `docker stop` was sent: it exited by itself
    ready_seen: bool = True  # it printed the ready text asked for (True when none was asked)


@dataclass(frozen=True)
class ProcessResult:
    """What ran as PID 1 of a running container, read from the engine host's process table: its command line as
    the process has it now, and the absolute path its executable link names inside the container."""

    argv: tuple[str, ...] = ()
    executable: str = ""  # "" when the host's /proc could not be read (the engine runs on another host)
    output: str = ""
    start_error: Outcome | None = None
    exited_early: bool = False  # it had exited before it could be read
    ready_seen: bool = True


@dataclass(frozen=True)
class HistoryEntry:
    created_by: str
    size: int
    comment: str


@dataclass(frozen=True)
class LayerFacts:
    diff_id: str
    size: int
    created_by: str


@dataclass(frozen=True)
class ImageFacts:
    id: str
    cmd: list[str] | None
    entrypoint: list[str] | None
    working_dir: str
    env: dict[str, str]
    user: str
    exposed_ports: tuple[str, ...]
    labels: dict[str, str]  # the learner's labels; the sandbox's own org.layerlab.* labels are left out
    history: tuple[HistoryEntry, ...]  # oldest first
    layers: tuple[LayerFacts, ...]  # filesystem layers, oldest first
    size: int


@dataclass(frozen=True)
class ReapReport:
    containers: int = 0
    images: int = 0  # attempt tags and cache entries
    dangling: int = 0  # layers failed builds left
    volumes: int = 0
    reclaimed_bytes: int = 0


def image_facts(details: dict[str, Any], history: list[dict[str, Any]]) -> ImageFacts:
    config = details.get("Config") or {}
    entries = tuple(
        HistoryEntry(entry.get("CreatedBy") or "", entry.get("Size") or 0, entry.get("Comment") or "")
        for entry in reversed(history)
    )
    return ImageFacts(
        id=details["Id"],
        cmd=config.get("Cmd"),
        entrypoint=config.get("Entrypoint"),
        working_dir=config.get("WorkingDir") or "",
        env=dict(item.partition("=")[::2] for item in config.get("Env") or []),
        user=config.get("User") or "",
        exposed_ports=tuple(sorted(config.get("ExposedPorts") or {})),
        labels={k: v for k, v in (config.get("Labels") or {}).items() if not k.startswith(RESERVED_LABEL_PREFIX)},
        history=entries,
        layers=_layers(details.get("RootFS", {}).get("Layers") or [], entries),
        size=details.get("Size") or 0,
    )


def _layers(diff_ids: list[str], history: tuple[HistoryEntry, ...]) -> tuple[LayerFacts, ...]:
    """Pair each filesystem layer with the history entry that made it.

    The API does not say which history entries are empty, so: entries with a size made a layer; of the entries
    without one, the newest are taken as the layers still unaccounted for. They all have size 0, so the sizes are
    exact either way; only which zero-size instruction a zero-size layer is credited to can be a guess.
    """
    if not diff_ids:
        return ()
    sized = [i for i, entry in enumerate(history) if entry.size > 0]
    unsized = [i for i, entry in enumerate(history) if entry.size == 0]
    missing = len(diff_ids) - len(sized)
    chosen = sorted(sized + unsized[len(unsized) - missing:]) if missing > 0 else sized[-len(diff_ids):]
    # A history shorter than the layers (an image imported without one) pairs what it can.
    return tuple(
        LayerFacts(diff_id, history[index].size, history[index].created_by)
        for diff_id, index in zip(diff_ids, chosen, strict=False)
    )


@dataclass(frozen=True)
class PathFact:
    """One path of an image's final filesystem, read without running the image."""

    path: str
    exists: bool
    is_dir: bool = False
    size: int = 0
    content: bytes | None = None  # a regular file's bytes, up to the engine's read cap
    truncated: bool = False
    mode: int = 0  # permission bits
    digest: str | None = None  # a regular file's sha256 over all of its bytes


@dataclass(frozen=True)
class LayerEntry:
    path: str  # without a leading "/"
    size: int
    whiteout: bool = False  # a deletion of `path` recorded by this layer


@dataclass(frozen=True)
class LayerListing:
    """Every path a filesystem layer holds (what `docker save` would ship), oldest layer first."""

    diff_id: str
    created_by: str
    entries: tuple[LayerEntry, ...]

    @property
    def size(self) -> int:
        return sum(entry.size for entry in self.entries)


@dataclass(frozen=True)
class LayerProgress:
    """A layer moving to or from a registry: `status` as Docker words it ("Pushing", "Pushed", "Layer already
    exists", "Downloading", "Pull complete"), bytes `current` of `total` when known."""

    direction: str  # "push" or "pull"
    layer: str
    status: str
    current: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class Published:
    """One tag of a publish arrived: `reference` (registry/namespace/repository:tag) is the manifest `digest`."""

    reference: str
    digest: str


@dataclass(frozen=True)
class TransferResult:
    """How a push or a pull ended: for a push, the `digest` the registry gave the manifest; for a pull, the
    sandbox's own tag of the image that arrived (`image`, labelled like a build's)."""

    outcome: Outcome
    reference: str
    digest: str | None = None
    image: str | None = None


@dataclass
class RepositoryFacts:
    """What the course registry holds for one repository of the learner's namespace."""

    name: str  # "alice/hello"
    tags: list[str]
    digests: dict[str, str]  # tag -> manifest digest, for the tags the checks ask about that exist
    configs: dict[str, dict[str, Any]]  # digest -> the image config (Cmd, Entrypoint, Labels ...)
    pulls: dict[str, Outcome]  # digest -> how pulling it by digest went


@dataclass(frozen=True)
class FileEntry:
    """One path a filesystem layer records, as its tar holds it (paths without a leading "/").

    `kind` is "file", "dir", "symlink", "hardlink", "other", or a deletion: "whiteout" (`.wh.<name>` deletes
    `path` from the layers below) or "opaque" (`.wh..wh..opq` hides everything below of directory `path`).
    """

    path: str
    kind: str
    size: int
    mode: int
    digest: str | None = None  # a regular file's sha256
    link: str | None = None

    @property
    def deletes(self) -> bool:
        return self.kind in ("whiteout", "opaque")


@dataclass(frozen=True)
class LayerIndex:
    diff_id: str
    entries: tuple[FileEntry, ...]


@dataclass(frozen=True)
class HistoryStep:
    """One entry of an image's history: the instruction, and whether it made a filesystem layer."""

    created_by: str
    made_layer: bool


@dataclass(frozen=True)
class SavedImage:
    """An image as `docker save` describes it: its layers' indexes, oldest first, and its whole history."""

    layers: tuple[LayerIndex, ...]
    history: tuple[HistoryStep, ...]
