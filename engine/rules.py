"""What a submission must satisfy before the engine is asked to do anything.

Each rule exists because the daemon would otherwise do something outside the sandbox: fetch a URL on the host's
network, pull a BuildKit frontend, read another learner's image, run triggers in a later build, or take more than
its share. A broken rule raises SubmissionRejected with a rule id and a message in English and Chinese; nothing
reaches the engine.

The rules judge the Dockerfile as Docker's own parser reads it (JSON escapes decoded, `# escape=` honoured, flags
unquoted), and a submission that this project's parser reads differently is refused: where a reading cannot be
sure, nothing is built.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from engine.dockerfile import (
    BuilderInstruction,
    Dockerfile,
    DockerfileSyntaxError,
    DockerReadError,
    first_disagreement,
    parse,
    read_as_docker,
)
from engine.limits import MB, kilobytes
from engine.messages import Text, both, render

RESERVED_LABEL_PREFIX = "org.layerlab."
DOCKERFILE = "Dockerfile"
# The flags the engine's classic builder knows (Docker 20.10); it fails on any other, BuildKit's included.
# FROM --platform and every RUN flag have rules of their own, and so has --chmod, which the classic builder knows
# only to refuse without BuildKit.
ALLOWED_FLAGS: dict[str, frozenset[str]] = {
    "ADD": frozenset({"chown", "chmod"}),
    "COPY": frozenset({"chown", "chmod", "from"}),
    "HEALTHCHECK": frozenset({"interval", "timeout", "start-period", "retries"}),
}
REMOTE_ADD_FLAGS = ("checksum", "keep-git-dir")
# Removed by the builder when it expands a word: a source with them dropped shows all it could become.
QUOTING = str.maketrans("", "", "\"'\\`")


@dataclass(frozen=True)
class SubmissionLimits:
    max_dockerfile_bytes: int = 64 * 1024
    max_instructions: int = 200
    max_context_bytes: int = 8 * MB
    max_context_files: int = 200


REJECTION_MESSAGES: dict[str, Promise] = {
    "published-onbuild": _(
        "{reference} has ONBUILD instructions. The sandbox does not run them for an image from the registry: "
        "publish one without ONBUILD.",
    ),
    "no-dockerfile": _("There is no Dockerfile in the submission."),
    "bad-path": _(
        "The file name {path!r} is not allowed: use a relative path inside the build context, without '..'.",
    ),
    "context-symlink": _(
        "{path} is a symbolic link. Links are not followed into the build context; copy the file itself.",
    ),
    "too-many-files": _("The build context has {count} files; at most {limit} are allowed."),
    "context-too-large": _("The build context is {size_kb} KB; at most {limit_kb} KB is allowed."),
    "dockerfile-too-large": _("The Dockerfile is {size_kb} KB; at most {limit_kb} KB is allowed."),
    "not-utf8": _("Line {line} of the Dockerfile is not valid UTF-8 text."),
    "too-many-instructions": _("The Dockerfile has {count} instructions; at most {limit} are allowed."),
    "syntax-error": _("Line {line}: {reason}."),
    "unreadable": _("Docker cannot read this Dockerfile: {reason}."),
    "ambiguous-instruction": _(
        "Line {line}: the sandbox cannot be sure how Docker reads this instruction, so it builds nothing. "
        "Write it more plainly: no unusual quoting, whitespace or line continuations.",
    ),
    "heredoc": _(
        "Line {line}: heredocs (<<EOF) are a BuildKit feature this sandbox's builder does not have: it would "
        "read the lines inside as instructions. Put the script in a file in the build context and COPY it.",
    ),
    "onbuild": _(
        "Line {line}: ONBUILD is not allowed here: its triggers would run in a later build, outside this "
        "exercise's checks. Remove the instruction.",
    ),
    "syntax-directive": _(
        "Line {line}: the '# syntax=' directive is not available here: it would download a build frontend. "
        "Remove the line.",
    ),
    "add-url": _(
        "Line {line}: ADD cannot fetch {source} in this sandbox (the build has no network). Put the file in "
        "the build context and COPY it instead.",
    ),
    "run-flag": _(
        "Line {line}: RUN --{flag} is a BuildKit feature that is not available here. Remove the flag.",
    ),
    "from-not-allowed": _("Line {line}: FROM {image} is not allowed in this exercise. Use one of: {allowed}."),
    "from-variable": _(
        "Line {line}: FROM {image} uses a variable; write the image name out so it can be checked.",
    ),
    "from-flag": _("Line {line}: FROM --{flag} is not available here. Remove the flag."),
    "chmod-flag": _(
        "Line {line}: {keyword} --chmod needs BuildKit, which this sandbox's builder does not have (at home, "
        "`docker build` uses BuildKit and accepts it). Copy the file as it is, then RUN chmod +x on it, or mark "
        "it executable with the switch beside its name in the editor: COPY keeps the mode a file has.",
    ),
    "instruction-flag": _(
        "Line {line}: {keyword} --{flag} is not available in this sandbox's builder. Remove the flag.",
    ),
    "copy-from-image": _(
        "Line {line}: COPY --from={source} must name an earlier stage of this Dockerfile (by its AS name or "
        "number), not an image.",
    ),
    "copy-outside-context": _(
        "Line {line}: {keyword} {source} points outside the build context. Only files in the context can be "
        "copied.",
    ),
    "unverifiable-variable": _(
        "Line {line}: {keyword} uses a variable in {text}. Write the value out here, so it can be checked "
        "before the build.",
    ),
    "reserved-label": _(
        "Line {line}: the label {key} is reserved for Layerlab's own bookkeeping. Choose another name.",
    ),
}


class SubmissionRejected(Exception):
    """A submission broke a rule; nothing was sent to the engine."""

    def __init__(self, rule: str, *, line: int | None = None, **params):
        if rule not in REJECTION_MESSAGES:
            raise KeyError(f"unknown rule {rule!r}")
        self.rule = rule
        self.line = line
        self.params = params
        super().__init__(self.message("en"))

    def message(self, language: str = "en") -> str:
        return render(REJECTION_MESSAGES[self.rule], language, line=self.line, **self.params)

    def text(self) -> Text:
        """The message in every course language."""
        return both(REJECTION_MESSAGES[self.rule], line=self.line, **self.params)


def check_submission(
    files: Mapping[str, bytes],
    *,
    allowed_bases: Collection[str],
    limits: SubmissionLimits = SubmissionLimits(),
) -> Dockerfile:
    """Check every rule and return the parsed Dockerfile; raise SubmissionRejected at the first broken one."""
    _check_context(files, limits)
    dockerfile, as_docker = _read(files[DOCKERFILE], limits)
    for instruction in as_docker:
        _check_instruction(instruction)
    _check_images(as_docker, allowed_bases)
    return dockerfile


def _check_context(files: Mapping[str, bytes], limits: SubmissionLimits) -> None:
    for path in files:
        if not _safe_path(path):
            raise SubmissionRejected("bad-path", path=str(path))
    if DOCKERFILE not in files:
        raise SubmissionRejected("no-dockerfile")
    if len(files) > limits.max_context_files:
        raise SubmissionRejected("too-many-files", count=len(files), limit=limits.max_context_files)
    size = sum(len(data) for data in files.values())
    if size > limits.max_context_bytes:
        raise SubmissionRejected("context-too-large", size_kb=kilobytes(size),
                                 limit_kb=kilobytes(limits.max_context_bytes))


def _safe_path(path: object) -> bool:
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path or "\0" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _read(data: bytes, limits: SubmissionLimits) -> tuple[Dockerfile, tuple[BuilderInstruction, ...]]:
    """Both readings of the Dockerfile, refused unless they agree."""
    if len(data) > limits.max_dockerfile_bytes:
        raise SubmissionRejected(
            "dockerfile-too-large", size_kb=kilobytes(len(data)), limit_kb=kilobytes(limits.max_dockerfile_bytes)
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionRejected("not-utf8", line=data[: error.start].count(b"\n") + 1) from None
    try:
        as_docker = read_as_docker(text)
    except DockerReadError as error:
        _parse(text)  # names the line of most mistakes Docker's parser finds
        raise SubmissionRejected("unreadable", reason=str(error)) from None
    # Before our own parse, which would read a heredoc's lines as instructions and complain about those.
    for instruction in as_docker:
        if instruction.has_heredocs:
            raise SubmissionRejected("heredoc", line=instruction.line)
    dockerfile = _parse(text)
    if "syntax" in dockerfile.directives:
        raise SubmissionRejected("syntax-directive", line=dockerfile.directive_lines["syntax"])
    if len(as_docker) > limits.max_instructions:
        raise SubmissionRejected("too-many-instructions", count=len(as_docker), limit=limits.max_instructions)
    line = first_disagreement(dockerfile, as_docker)
    if line is not None:
        raise SubmissionRejected("ambiguous-instruction", line=line)
    return dockerfile, as_docker


def _parse(text: str) -> Dockerfile:
    try:
        return parse(text)
    except DockerfileSyntaxError as error:
        raise SubmissionRejected("syntax-error", line=error.line, reason=error.reason) from None


def _check_instruction(instruction: BuilderInstruction) -> None:
    keyword, line = instruction.keyword, instruction.line
    if keyword == "ONBUILD":
        raise SubmissionRejected("onbuild", line=line)
    _check_flags(instruction)
    if keyword in ("ADD", "COPY") and not instruction.flag_values("from"):
        for source in instruction.arguments[:-1]:
            _check_source(keyword, line, source)
    if instruction.flag_values("chmod"):  # after the sources: an ADD of a URL is refused as such
        raise SubmissionRejected("chmod-flag", line=line, keyword=keyword)
    if keyword == "LABEL":
        for key in instruction.arguments[::2]:
            if "$" in key:
                raise SubmissionRejected("unverifiable-variable", line=line, keyword=keyword, text=key)
            if _literal(key).startswith(RESERVED_LABEL_PREFIX):
                raise SubmissionRejected("reserved-label", line=line, key=_literal(key))


def _check_flags(instruction: BuilderInstruction) -> None:
    keyword, line = instruction.keyword, instruction.line
    names = [name for name, _ in instruction.flags]
    if keyword == "RUN" and names:
        raise SubmissionRejected("run-flag", line=line, flag=names[0])
    if keyword == "FROM" and names:
        raise SubmissionRejected("from-flag", line=line, flag=names[0])
    if keyword == "ADD" and (remote := [name for name in names if name in REMOTE_ADD_FLAGS]):
        raise SubmissionRejected("add-url", line=line, source=f"--{remote[0]}")
    for name in names:
        if name not in ALLOWED_FLAGS.get(keyword, ()):
            raise SubmissionRejected("instruction-flag", line=line, keyword=keyword, flag=name)


def _check_source(keyword: str, line: int, source: str) -> None:
    literal = _literal(source)
    if keyword == "ADD" and ("://" in literal or literal.lower().startswith("git@")):
        raise SubmissionRejected("add-url", line=line, source=source)
    if keyword == "ADD" and "$" in source:  # it could expand to a URL, which the daemon would fetch
        raise SubmissionRejected("unverifiable-variable", line=line, keyword=keyword, text=source)
    if _climbs(literal):
        raise SubmissionRejected("copy-outside-context", line=line, keyword=keyword, source=source)


def _literal(word: str) -> str:
    """`word` without quotes and escape characters. The builder's expansion only ever removes those (variables
    are refused wherever they matter), so whatever it makes of `word` is this with some of them put back."""
    return word.translate(QUOTING)


def _climbs(source: str) -> bool:
    """Whether a path leaves the context root on the way ("../x", "a/../../x"); a leading "/" means the root."""
    depth = 0
    for part in source.split("/"):
        depth += -1 if part == ".." else (0 if part in ("", ".") else 1)
        if depth < 0:
            return True
    return False


def _check_images(as_docker: tuple[BuilderInstruction, ...], allowed_bases: Collection[str]) -> None:
    """Every image a build reads: FROM an allowed image or an earlier stage, COPY --from an earlier stage."""
    stage_names: list[str | None] = []  # one per stage so far, the current one last
    for instruction in as_docker:
        if instruction.keyword == "FROM":
            _check_base(instruction, stage_names, allowed_bases)
            stage_names.append(_stage_name(instruction))
        for source in instruction.flag_values("from"):
            _check_stage_reference(instruction, source, stage_names[:-1])


def _check_base(instruction: BuilderInstruction, earlier: list[str | None], allowed_bases: Collection[str]) -> None:
    base = instruction.arguments[0]
    if "$" in base:
        raise SubmissionRejected("from-variable", line=instruction.line, image=base)
    allowed = {_normalise(image) for image in (*allowed_bases, "scratch")}
    if not _is_stage_name(base, earlier) and _normalise(base) not in allowed:
        shown = ", ".join(sorted(allowed_bases)) or "scratch"
        raise SubmissionRejected("from-not-allowed", line=instruction.line, image=base, allowed=shown)


def _stage_name(instruction: BuilderInstruction) -> str | None:
    words = instruction.arguments
    return words[2].lower() if len(words) == 3 else None


def _check_stage_reference(instruction: BuilderInstruction, source: str, earlier: list[str | None]) -> None:
    if "$" in source:
        raise SubmissionRejected("unverifiable-variable", line=instruction.line, keyword=instruction.keyword,
                                 text=f"--from={source}")
    earlier_index = source.isascii() and source.isdigit() and int(source) < len(earlier)
    if not (earlier_index or _is_stage_name(source, earlier)):
        raise SubmissionRejected("copy-from-image", line=instruction.line, source=source)


def _is_stage_name(reference: str, stage_names: list[str | None]) -> bool:
    """Whether the builder takes `reference` for one of `stage_names`: case-insensitively, and never when it is
    not ASCII, since Python and Go lower-case a few letters differently."""
    return reference.isascii() and reference.lower() in {name for name in stage_names if name}


def _normalise(image: str) -> str:
    """`name` and `name:latest` are the same image; anything else is compared as written."""
    image = image.strip()
    last = image.rsplit("/", 1)[-1]
    if "@" not in image and ":" not in last:
        return f"{image}:latest"
    return image
