"""A Dockerfile parser that follows the classic builder's rules closely enough to check and explain a submission.

It knows parser directives (`# syntax=`, `# escape=`), line continuations with either escape character, comments
inside continuations, `--flag=value` flags, exec (JSON) vs shell form, and stages. Every instruction keeps the
line it starts on, so a failing build step can be shown at its line in the editor.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
KNOWN_DIRECTIVES = frozenset({"syntax", "escape"})
FLAG = re.compile(r"^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?$")


class DockerfileSyntaxError(ValueError):
    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Instruction:
    keyword: str
    flags: dict[str, str]
    value: str
    line: int
    end_line: int

    @property
    def exec_form(self) -> list[str] | None:
        """The arguments as a list when written in exec (JSON array) form, else None (shell form)."""
        if not self.value.startswith("["):
            return None
        try:
            parsed = json.loads(self.value)
        except ValueError:
            return None
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            return parsed
        return None

    def __str__(self) -> str:
        flags = " ".join(f"--{name}={value}" if value else f"--{name}" for name, value in self.flags.items())
        return " ".join(part for part in (self.keyword, flags, self.value) if part)


@dataclass(frozen=True)
class Stage:
    index: int
    base: str
    name: str | None
    line: int
    instructions: tuple[Instruction, ...]
    flags: dict[str, str] = field(default_factory=dict)  # FROM's own flags, e.g. {"platform": "linux/arm64"}


@dataclass(frozen=True)
class Dockerfile:
    instructions: tuple[Instruction, ...]
    directives: dict[str, str] = field(default_factory=dict)
    stages: tuple[Stage, ...] = ()
    directive_lines: dict[str, int] = field(default_factory=dict)

    def instruction_at_step(self, step: int) -> Instruction | None:
        """The instruction the classic builder runs as "Step `step`/N" (one step per instruction, from 1)."""
        if 1 <= step <= len(self.instructions):
            return self.instructions[step - 1]
        return None


def parse(text: str) -> Dockerfile:
    # Docker splits on "\n" only (a form feed or U+2028 is part of a line) and ignores a byte order mark.
    lines = [line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n")]
    directives, directive_lines = _directives(lines)
    escape = directives.get("escape", "\\")
    if escape not in ("\\", "`"):
        raise DockerfileSyntaxError(directive_lines["escape"], f"the escape directive must be \\ or `, not {escape!r}")
    instructions = tuple(_instructions(lines, len(directive_lines), escape))
    return Dockerfile(instructions, directives, _stages(instructions), directive_lines)


def _directives(lines: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Parser directives: `# key=value` lines at the very top, before any comment, blank line or instruction."""
    found: dict[str, str] = {}
    found_at: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        match = DIRECTIVE.match(line.strip())
        if not match or match[1].lower() not in KNOWN_DIRECTIVES:
            break
        key = match[1].lower()
        if key in found:
            raise DockerfileSyntaxError(number, f"only one {key} parser directive can be used")
        found[key], found_at[key] = match[2], number
    return found, found_at


def _logical_lines(lines: list[str], start: int, escape: str):
    """Yield (first line number, last line number, joined text) per instruction, as the builder joins them."""
    buffer: list[str] = []
    first = 0
    for index in range(start, len(lines)):
        raw = lines[index]
        stripped = raw.strip()
        if stripped.startswith("#") or not stripped:
            continue  # comments and blank lines vanish, even inside a continuation, as in Docker
        if not buffer:
            first = index + 1
        body = raw.rstrip()
        if body.endswith(escape):
            buffer.append(body[:-1])
            continue
        buffer.append(body)
        yield first, index + 1, "".join(buffer).strip()
        buffer = []
    if buffer:
        raise DockerfileSyntaxError(first, "the last instruction ends with a line continuation; finish it")


def _instructions(lines: list[str], start: int, escape: str):
    seen_from = False
    for first, last, text in _logical_lines(lines, start, escape):
        word, *rest = text.split(None, 1)
        keyword = word.upper()
        if keyword not in KEYWORDS:
            raise DockerfileSyntaxError(first, f"unknown instruction: {word}")
        flags, value = _split_flags(rest[0].strip() if rest else "", first)
        if not value:
            raise DockerfileSyntaxError(first, f"{keyword} needs arguments")
        if _is_json_array_of_non_strings(value):
            raise DockerfileSyntaxError(first, f"the JSON array of {keyword} must contain strings only")
        if keyword == "FROM":
            seen_from = True
        elif not seen_from and keyword != "ARG":
            raise DockerfileSyntaxError(first, f"{keyword} comes before the first FROM; only ARG may")
        yield Instruction(keyword, flags, value, first, last)


def _is_json_array_of_non_strings(value: str) -> bool:
    if not value.startswith("["):
        return False
    try:
        parsed = json.loads(value)
    except ValueError:
        return False  # not JSON at all: shell form, as Docker reads it
    return isinstance(parsed, list) and not all(isinstance(item, str) for item in parsed)


def _split_flags(rest: str, line: int) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    while rest.startswith("--"):
        word, _, remainder = rest.partition(" ")
        match = FLAG.match(word)
        if not match:
            raise DockerfileSyntaxError(line, f"malformed flag: {word}")
        flags[match[1].lower()] = match[2] or ""
        rest = remainder.strip()
    return flags, rest


def _stages(instructions: tuple[Instruction, ...]) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    current: list[Instruction] = []
    head: Instruction | None = None
    for instruction in instructions:
        if instruction.keyword == "FROM":
            if head:
                stages.append(_stage(len(stages), head, current))
            head, current = instruction, []
        elif head:
            current.append(instruction)
    if head:
        stages.append(_stage(len(stages), head, current))
    return tuple(stages)


def _stage(index: int, head: Instruction, body: list[Instruction]) -> Stage:
    words = head.value.split()
    if len(words) == 3 and words[1].lower() == "as":
        return Stage(index, words[0], words[2].lower(), head.line, tuple(body), head.flags)
    if len(words) != 1:
        raise DockerfileSyntaxError(head.line, "FROM takes an image and optionally AS <name>")
    return Stage(index, words[0], None, head.line, tuple(body), head.flags)
