"""Why the build cache missed: the first step a rebuild did not take from the cache, compared with the learner's
previous build of the same exercise, and an order of instructions that would have kept the cache.

The classic builder reuses a step when the image before it is the same and the step is the same: its text, the
ENV/ARG values in effect (part of the image before it), and for COPY/ADD the content and mode of the files it copies.
So the first miss is explained by what differs there, from the two submissions alone.
"""
from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy as _

from engine.dockerfile import DockerfileSyntaxError, Instruction, parse
from engine.messages import both

COPIES = ("COPY", "ADD")
# What a moved step may pass, of the steps that do not name what changed: a COPY only steps whose meaning does not
# depend on where they stand relative to it (not a WORKDIR or USER, which change where and as whom it copies);
# an ENV or ARG any step up to the command, which must still see it.
MOVABLE_PAST = {
    "COPY": ("RUN", "LABEL", "EXPOSE"),
    "ADD": ("RUN", "LABEL", "EXPOSE"),
    "ENV": ("RUN", "LABEL", "EXPOSE", "COPY", "ADD", "WORKDIR", "USER", "ENV", "ARG"),
    "ARG": ("RUN", "LABEL", "EXPOSE", "COPY", "ADD", "WORKDIR", "USER", "ENV", "ARG"),
}


@dataclass(frozen=True)
class ChangedFile:
    path: str
    old: str | None  # content digest, None: the file was not there
    new: str | None
    old_mode: str | None = None  # "0755" or "0644", as the build context gave it; None: the file was not there
    new_mode: str | None = None


@dataclass(frozen=True)
class Submitted:
    """A submission as the cache sees it: each file's content, and which files were sent executable."""

    files: Mapping[str, bytes]
    executable: frozenset[str] = frozenset()

    def mode(self, path: str) -> str | None:
        if path not in self.files:
            return None
        return "0755" if path in self.executable else "0644"


@dataclass(frozen=True)
class ChangedVariable:
    name: str
    old: str | None
    new: str | None


@dataclass
class CacheMiss:
    step: int
    line: int
    instruction: str
    reason: str  # "instruction", "variables", "files" or "unchanged" (same step: its cache entry was pruned)
    previous: str | None = None  # the previous build's instruction at that step
    files: list[ChangedFile] = field(default_factory=list)
    variables: list[ChangedVariable] = field(default_factory=list)
    suggestion: list[str] | None = None  # the instructions in an order that keeps the cache for what comes first

    def as_event(self) -> dict:
        hint = both(_("This order would have kept the cache:")) if self.suggestion else None
        return {"type": "cache_miss", **asdict(self), "message": self.message(), "hint": hint}

    def message(self) -> dict[str, str]:
        where = {"step": self.step, "line": self.line}
        if self.reason == "files":
            return both(_("Step {step} (line {line}) missed the cache: the files it copies changed: {paths}."),
                        **where, paths=", ".join(f.path for f in self.files))
        if self.reason == "variables":
            return both(_("Step {step} (line {line}) missed the cache: the value of {names} changed."),
                        **where, names=", ".join(v.name for v in self.variables))
        if self.reason == "instruction":
            return both(_("Step {step} (line {line}) missed the cache: the instruction changed."), **where)
        return both(_("Step {step} (line {line}) missed the cache although it did not change: its cached layer "
                      "was removed since, or the base image changed."), **where)


def explain_miss(previous: Submitted, current: Submitted, step: int) -> CacheMiss | None:
    """Why `step` (numbered as the builder numbers them, FROM included) of the build of `current` missed the cache
    that the build of `previous` left. None when either Dockerfile cannot be read or has no such step."""
    try:
        old = list(parse(previous.files["Dockerfile"].decode(errors="replace")).instructions)
        new = list(parse(current.files["Dockerfile"].decode(errors="replace")).instructions)
    except (KeyError, DockerfileSyntaxError):
        return None
    if not 0 < step <= len(new) or new[step - 1].keyword == "FROM":  # FROM never comes "from the cache"
        return None
    instruction = new[step - 1]
    before = old[step - 1] if step <= len(old) else None
    miss = CacheMiss(step, instruction.line, instruction.as_written, "unchanged", before.as_written if before else None)
    if before is None or before.as_written != instruction.as_written:
        miss.variables = _changed_variables(before, instruction)
        miss.reason = "variables" if miss.variables else "instruction"
    elif instruction.keyword in COPIES and "from" not in instruction.flags:
        miss.files = _changed_files(previous, current, instruction)
        miss.reason = "files" if miss.files else "unchanged"
    miss.suggestion = _order_keeping_cache(new, step - 1, _names_that_changed(miss))
    return miss


def _variables(instruction: Instruction | None) -> dict[str, str | None]:
    if instruction is None or instruction.keyword not in ("ENV", "ARG"):
        return {}
    words = instruction.words
    if instruction.keyword == "ENV" and len(words) >= 2 and "=" not in words[0]:  # legacy `ENV NAME value`
        return {words[0]: " ".join(words[1:])}
    pairs = (word.partition("=") for word in words)
    return {name: value.strip("\"'") if sep else None for name, sep, value in pairs}


def _changed_variables(before: Instruction | None, instruction: Instruction) -> list[ChangedVariable]:
    old, new = _variables(before), _variables(instruction)
    if not new:
        return []
    return [ChangedVariable(name, old.get(name), new.get(name)) for name in sorted({*old, *new})
            if old.get(name) != new.get(name)]


def _changed_files(previous: Submitted, current: Submitted, instruction: Instruction) -> list[ChangedFile]:
    """The files the instruction copies whose content or mode differs: the builder's checksum covers both."""
    sources = instruction.words[:-1]
    paths = sorted(path for path in {*previous.files, *current.files}
                   if any(_copied(path, source) for source in sources))
    changes = (ChangedFile(path, _digest(previous.files.get(path)), _digest(current.files.get(path)),
                           previous.mode(path), current.mode(path)) for path in paths)
    return [change for change in changes if (change.old, change.old_mode) != (change.new, change.new_mode)]


def _copied(path: str, source: str) -> bool:
    source = source.removeprefix("./").rstrip("/")
    return source in ("", ".") or path == source or path.startswith(f"{source}/") or fnmatch.fnmatch(path, source)


def _digest(content: bytes | None) -> str | None:
    return f"sha256:{hashlib.sha256(content).hexdigest()}" if content is not None else None


def _names_that_changed(miss: CacheMiss) -> list[str]:
    if miss.reason == "files":
        return [changed.path.rpartition("/")[2] for changed in miss.files]
    if miss.reason == "variables":
        return [changed.name for changed in miss.variables]
    return []


def _order_keeping_cache(instructions: list[Instruction], missed: int, names: list[str]) -> list[str] | None:
    """The Dockerfile with the missed COPY or ENV moved below the steps after it that do not use what changed:
    those then come from the cache, and only the moved step and what needs it are rebuilt. None if none can move."""
    movable_past = MOVABLE_PAST.get(instructions[missed].keyword)
    if not names or movable_past is None:
        return None
    uses = re.compile("|".join(re.escape(name) for name in names))
    passed = []
    for instruction in instructions[missed + 1:]:
        if instruction.keyword not in movable_past or uses.search(instruction.as_written):
            break
        passed.append(instruction)
    if not passed:
        return None
    reordered = [*instructions[:missed], *passed, instructions[missed], *instructions[missed + 1 + len(passed):]]
    return [instruction.as_written for instruction in reordered]
