"""Two readings of a Dockerfile: this module's own parser, and Docker's.

`parse` follows the builder's rules to explain a submission: parser directives (`# syntax=`, `# escape=`), line
continuations with either escape character, comments inside continuations, `--flag=value` flags (quoted as the
builder unquotes them), exec (JSON) vs shell form, and stages. Every instruction keeps the line it starts on, so a
failing build step can be shown at its line in the editor.

`read_as_docker` is Docker's own parser (BuildKit's, in Go, through PyPI `dockerfile`): what the sandbox's rules
judge, since a rule is only as good as its reading. That parser is BuildKit v0.12's; the engine's classic builder
(Docker 20.10) parses with BuildKit v0.8's, which reads the same text the same way except that it has no heredocs.
`first_disagreement` finds where the two readings part, so that a submission can be refused there.
"""
from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field

import dockerfile as docker_parser

KEYWORDS = frozenset({
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
})
DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
KNOWN_DIRECTIVES = frozenset({"syntax", "escape"})
FLAG_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9-]*$")
# Go's unicode.IsSpace, which the builder trims with: Python's str.isspace() less \x1c-\x1f.
DOCKER_WHITESPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
                    "\u2028\u2029\u202f\u205f\u3000"
# What separates the keyword from its arguments, and the words of FROM, COPY, ADD, EXPOSE, VOLUME.
WORD_SEPARATOR = re.compile(r"[\t\v\f\r ]+")
JSON_FORMS = frozenset({"ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"})
WORD_LISTS = frozenset({"ADD", "COPY", "EXPOSE", "FROM", "VOLUME"})
ONE_STRING = frozenset({"CMD", "ENTRYPOINT", "MAINTAINER", "RUN", "SHELL", "STOPSIGNAL", "USER", "WORKDIR"})


class DockerfileSyntaxError(ValueError):
    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class DockerReadError(ValueError):
    """Docker's parser refuses the Dockerfile; it names no line."""


@dataclass(frozen=True)
class Instruction:
    keyword: str
    flags: dict[str, str]  # names as written (the builder's flags are case-sensitive), values unquoted
    value: str
    line: int
    end_line: int
    text: str = ""  # the whole instruction as the builder joins its lines

    @property
    def exec_form(self) -> list[str] | None:
        """The arguments as a list when written in exec (JSON array) form, else None (shell form)."""
        parsed = _json_array(self.value) if self.keyword in JSON_FORMS else None
        if parsed is not None and all(isinstance(item, str) for item in parsed):
            return parsed
        return None

    @property
    def words(self) -> list[str]:
        """The arguments as the builder splits them before expanding variables: the JSON array in exec form, else
        the words between whitespace, quotes kept (the builder removes them when it expands)."""
        form = self.exec_form
        return form if form is not None else WORD_SEPARATOR.split(self.value)

    def __str__(self) -> str:
        flags = " ".join(f"--{name}={value}" if value else f"--{name}" for name, value in self.flags.items())
        return " ".join(part for part in (self.keyword, flags, self.value) if part)

    @property
    def as_written(self) -> str:
        """The instruction as the learner wrote it: its lines as the builder joins them, else rebuilt from its parts."""
        return self.text or str(self)


@dataclass(frozen=True)
class BuilderInstruction:
    """One instruction as Docker's own parser reads it."""

    keyword: str
    flags: tuple[tuple[str, str], ...]  # (name as written, value) with quotes and escapes already removed
    # JSON decoded; words; for LABEL and ENV: key, value, key, value ...; for ONBUILD, those of its trigger
    arguments: tuple[str, ...]
    exec_form: bool
    line: int
    end_line: int
    text: str
    has_heredocs: bool = False

    def flag_values(self, name: str) -> list[str]:
        return [value for flag, value in self.flags if flag == name]


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


# -- this module's parser


def parse(text: str) -> Dockerfile:
    # Docker splits on "\n" only (a form feed or U+2028 is part of a line) and ignores a byte order mark.
    lines = [line.rstrip("\r") for line in text.removeprefix("\ufeff").split("\n")]
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
    # The escape character continues a line when only spaces or tabs follow it, unless it is itself escaped.
    continued = re.compile(rf"(?:^|(?<=[^{re.escape(escape)}])){re.escape(escape)}[ \t]*$")
    parts: list[str] = []
    first = 0
    for number, raw in enumerate(lines[start:], start=start + 1):
        stripped = raw.lstrip(DOCKER_WHITESPACE)
        if not stripped or stripped.startswith("#"):
            continue  # comments and blank lines vanish, even inside a continuation, as in Docker
        line = raw if first else stripped  # only an instruction's first line loses its indentation
        first = first or number
        end = continued.search(line)
        parts.append(line[:end.start()] if end else line)
        if not end:
            yield first, number, "".join(parts)
            parts, first = [], 0
    if first:
        raise DockerfileSyntaxError(first, "the last instruction ends with a line continuation; finish it")


def _instructions(lines: list[str], start: int, escape: str):
    seen_from = False
    for first, last, text in _logical_lines(lines, start, escape):
        text = text.strip(DOCKER_WHITESPACE)
        word, *rest = WORD_SEPARATOR.split(text, maxsplit=1)
        keyword = _keyword(word)
        if keyword not in KEYWORDS:
            raise DockerfileSyntaxError(first, f"unknown instruction: {word}")
        flags, value = _split_flags(rest[0] if rest else "", escape, first)
        if not value:
            raise DockerfileSyntaxError(first, f"{keyword} needs arguments")
        if keyword in JSON_FORMS and _is_json_array_of_non_strings(value):
            raise DockerfileSyntaxError(first, f"the JSON array of {keyword} must contain strings only")
        if keyword == "FROM":
            seen_from = True
        elif not seen_from and keyword != "ARG":
            raise DockerfileSyntaxError(first, f"{keyword} comes before the first FROM; only ARG may")
        yield Instruction(keyword, flags, value, first, last, text)


def _keyword(word: str) -> str:
    """Keywords are ASCII; Python would upper-case "ı" or "ſ" into one, Docker does not."""
    return word.upper() if word.isascii() else word


def _is_json_array_of_non_strings(value: str) -> bool:
    parsed = _json_array(value)
    return parsed is not None and not all(isinstance(item, str) for item in parsed)


def _json_array(value: str) -> list | None:
    """The JSON array `value` starts with, as the builder decodes it: text after the array is ignored (Go's
    json.Decoder stops there), and NaN or Infinity are not JSON. None when it is shell form."""
    if not value.startswith("["):
        return None
    try:
        parsed, _ = _GO_LIKE_JSON.raw_decode(value)
    except ValueError:
        return None  # not JSON at all: shell form, as Docker reads it
    return parsed if isinstance(parsed, list) else None


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


_GO_LIKE_JSON = json.JSONDecoder(parse_constant=_not_json)


def _split_flags(arguments: str, escape: str, line: int) -> tuple[dict[str, str], str]:
    """The `--name=value` words before the arguments, and the arguments after them."""
    words, rest = _flag_words(arguments, escape)
    flags: dict[str, str] = {}
    for word in words:
        name, _, value = word[2:].partition("=")
        if not FLAG_NAME.match(name):
            raise DockerfileSyntaxError(line, f"malformed flag: {word}")
        if name in flags:
            raise DockerfileSyntaxError(line, f"the flag --{name} is given twice")
        flags[name] = value
    return flags, rest.strip(DOCKER_WHITESPACE)


def _flag_words(arguments: str, escape: str) -> tuple[list[str], str]:
    """Split flags off as the builder does (extractBuilderFlags): each word starting with `--` is a flag, with
    its quotes and escape characters removed, so `--chown="a b"` is one flag; a lone `--` ends the flags."""
    words: list[str] = []
    position = 0
    while True:
        while position < len(arguments) and arguments[position] in DOCKER_WHITESPACE:
            position += 1
        if not arguments.startswith("--", position):
            return words, arguments[position:]
        word, position = _flag_word(arguments, position, escape)
        if word == "--":
            return words, arguments[position:]
        words.append(word)


def _flag_word(arguments: str, position: int, escape: str) -> tuple[str, int]:
    """One flag from `position` to the next unquoted whitespace, unquoted; and where it ends."""
    characters: list[str] = []
    quote = ""
    while position < len(arguments):
        character = arguments[position]
        if not quote and character in DOCKER_WHITESPACE:
            break
        position += 1
        if character == quote:
            quote = ""
        elif not quote and character in "'\"":
            quote = character
        elif character == escape and position == len(arguments):
            quote = ""  # an escape character at the very end is dropped
        elif character == escape:
            characters.append(arguments[position])
            position += 1
        else:
            characters.append(character)
    return "".join(characters), position


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
    words = head.words
    if len(words) == 3 and words[1].lower() == "as":
        return Stage(index, words[0], words[2].lower(), head.line, tuple(body), head.flags)
    if len(words) != 1:
        raise DockerfileSyntaxError(head.line, "FROM takes an image and optionally AS <name>")
    return Stage(index, words[0], None, head.line, tuple(body), head.flags)


# -- Docker's parser, and where the two part


def read_as_docker(text: str) -> tuple[BuilderInstruction, ...]:
    try:
        commands = docker_parser.parse_string(text)
    except docker_parser.GoParseError as error:
        raise DockerReadError(str(error)) from None
    return tuple(_builder_instruction(command) for command in commands)


def _builder_instruction(command: docker_parser.Command) -> BuilderInstruction:
    flags = tuple(tuple(flag.removeprefix("--").partition("=")[::2]) for flag in command.flags)
    return BuilderInstruction(
        keyword=_keyword(command.cmd),
        flags=flags,
        arguments=command.value,
        exec_form=command.json,
        line=command.start_line,
        end_line=command.end_line,
        text=command.original,
        has_heredocs=bool(command.heredocs),
    )


def first_disagreement(ours: Dockerfile, docker: tuple[BuilderInstruction, ...]) -> int | None:
    """The first line at which the two readings differ in anything a rule or an explanation reads, else None."""
    for mine, theirs in itertools.zip_longest(ours.instructions, docker):
        if mine is None or theirs is None:
            return (mine or theirs).line
        if _our_reading(mine) != _docker_reading(theirs):
            return min(mine.line, theirs.line)
    return None


def _our_reading(instruction: Instruction) -> tuple:
    exec_form = instruction.exec_form
    if exec_form is not None:
        arguments = tuple(exec_form)
    elif instruction.keyword in WORD_LISTS:
        arguments = tuple(instruction.words)
    elif instruction.keyword in ONE_STRING:
        arguments = (instruction.value,)
    else:
        arguments = None  # compared as text: a LABEL's keys, say, are read from Docker's reading alone
    return (instruction.keyword, instruction.line, instruction.end_line, instruction.text.strip(DOCKER_WHITESPACE),
            tuple(instruction.flags.items()), exec_form is not None, arguments)


def _docker_reading(instruction: BuilderInstruction) -> tuple:
    keyword = instruction.keyword
    exec_form = instruction.exec_form and keyword in JSON_FORMS
    compared = exec_form or keyword in WORD_LISTS or keyword in ONE_STRING
    return (keyword, instruction.line, instruction.end_line, instruction.text.strip(DOCKER_WHITESPACE),
            instruction.flags, exec_form, instruction.arguments if compared else None)
