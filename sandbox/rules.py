"""What a submission must satisfy before the engine is asked to do anything.

Each rule exists because the daemon would otherwise do something outside the sandbox: fetch a URL on the host's
network, pull a BuildKit frontend, read another learner's image, or take more than its share. A broken rule raises
SubmissionRejected with a rule id and a message in English and Chinese; nothing reaches the engine.
"""
from __future__ import annotations

import shlex
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sandbox.dockerfile import Dockerfile, DockerfileSyntaxError, Instruction, parse

RESERVED_LABEL_PREFIX = "org.layerlab."
DOCKERFILE = "Dockerfile"


@dataclass(frozen=True)
class SubmissionLimits:
    max_dockerfile_bytes: int = 64 * 1024
    max_instructions: int = 200
    max_context_bytes: int = 8 * 1024 * 1024
    max_context_files: int = 200


REJECTION_MESSAGES: dict[str, dict[str, str]] = {
    "published-onbuild": {
        "en": "{reference} has ONBUILD instructions. The sandbox does not run them for an image from the registry: "
        "publish one without ONBUILD.",
        "zh-hans": "{reference} 含有 ONBUILD 指令。沙箱不会为来自镜像仓库的镜像执行它们："
        "请发布一个不含 ONBUILD 的镜像。",
    },
    "no-dockerfile": {
        "en": "There is no Dockerfile in the submission.",
        "zh-hans": "提交的内容里没有 Dockerfile。",
    },
    "bad-path": {
        "en": "The file name {path!r} is not allowed: use a relative path inside the build context, without '..'.",
        "zh-hans": "文件名 {path!r} 不被允许：请使用构建上下文内的相对路径，不要包含“..”。",
    },
    "context-symlink": {
        "en": "{path} is a symbolic link. Links are not followed into the build context; copy the file itself.",
        "zh-hans": "{path} 是符号链接。构建上下文不会跟随链接，请放入文件本身。",
    },
    "too-many-files": {
        "en": "The build context has {count} files; at most {limit} are allowed.",
        "zh-hans": "构建上下文中有 {count} 个文件，最多允许 {limit} 个。",
    },
    "context-too-large": {
        "en": "The build context is {size_kb} KB; at most {limit_kb} KB is allowed.",
        "zh-hans": "构建上下文大小为 {size_kb} KB，最多允许 {limit_kb} KB。",
    },
    "dockerfile-too-large": {
        "en": "The Dockerfile is {size_kb} KB; at most {limit_kb} KB is allowed.",
        "zh-hans": "Dockerfile 大小为 {size_kb} KB，最多允许 {limit_kb} KB。",
    },
    "not-utf8": {
        "en": "Line {line} of the Dockerfile is not valid UTF-8 text.",
        "zh-hans": "Dockerfile 第 {line} 行不是有效的 UTF-8 文本。",
    },
    "too-many-instructions": {
        "en": "The Dockerfile has {count} instructions; at most {limit} are allowed.",
        "zh-hans": "Dockerfile 有 {count} 条指令，最多允许 {limit} 条。",
    },
    "syntax-error": {
        "en": "Line {line}: {reason}.",
        "zh-hans": "第 {line} 行：{reason}。",
    },
    "syntax-directive": {
        "en": "Line {line}: the '# syntax=' directive is not available here: it would download a build frontend. "
        "Remove the line.",
        "zh-hans": "第 {line} 行：这里不能使用“# syntax=”指令，它会下载构建前端。请删除这一行。",
    },
    "add-url": {
        "en": "Line {line}: ADD cannot fetch {source} in this sandbox (the build has no network). Put the file in "
        "the build context and COPY it instead.",
        "zh-hans": "第 {line} 行：在此沙箱中 ADD 不能下载 {source}（构建没有网络）。"
        "请把文件放进构建上下文，再用 COPY 复制。",
    },
    "run-flag": {
        "en": "Line {line}: RUN --{flag} is a BuildKit feature that is not available here. Remove the flag.",
        "zh-hans": "第 {line} 行：RUN --{flag} 是 BuildKit 的功能，这里不可用。请删除该参数。",
    },
    "from-not-allowed": {
        "en": "Line {line}: FROM {image} is not allowed in this exercise. Use one of: {allowed}.",
        "zh-hans": "第 {line} 行：本练习不允许 FROM {image}。请使用以下之一：{allowed}。",
    },
    "from-variable": {
        "en": "Line {line}: FROM {image} uses a variable; write the image name out so it can be checked.",
        "zh-hans": "第 {line} 行：FROM {image} 使用了变量；请直接写出镜像名，以便检查。",
    },
    "from-flag": {
        "en": "Line {line}: FROM --{flag} is not available here. Remove the flag.",
        "zh-hans": "第 {line} 行：这里不能使用 FROM --{flag}。请删除该参数。",
    },
    "copy-from-image": {
        "en": "Line {line}: COPY --from={source} must name an earlier stage of this Dockerfile (by its AS name or "
        "number), not an image.",
        "zh-hans": "第 {line} 行：COPY --from={source} 必须指向本 Dockerfile 中更早的阶段"
        "（用 AS 名称或序号），不能是镜像。",
    },
    "copy-outside-context": {
        "en": "Line {line}: {keyword} {source} points outside the build context. Only files in the context can be "
        "copied.",
        "zh-hans": "第 {line} 行：{keyword} {source} 指向构建上下文之外。只能复制上下文中的文件。",
    },
    "unverifiable-variable": {
        "en": "Line {line}: {keyword} uses a variable in {text}. Write the value out here, so it can be checked "
        "before the build.",
        "zh-hans": "第 {line} 行：{keyword} 在 {text} 中使用了变量。请直接写出它的值，以便在构建前检查。",
    },
    "reserved-label": {
        "en": "Line {line}: the label {key} is reserved for Layerlab's own bookkeeping. Choose another name.",
        "zh-hans": "第 {line} 行：标签 {key} 保留给 Layerlab 内部使用。请换一个名字。",
    },
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
        templates = REJECTION_MESSAGES[self.rule]
        return templates.get(language, templates["en"]).format(line=self.line, **self.params)


def check_submission(
    files: Mapping[str, bytes],
    *,
    allowed_bases: Collection[str],
    limits: SubmissionLimits = SubmissionLimits(),
) -> Dockerfile:
    """Check every rule and return the parsed Dockerfile; raise SubmissionRejected at the first broken one."""
    _check_context(files, limits)
    dockerfile = _parse(files[DOCKERFILE], limits)
    for instruction in dockerfile.instructions:
        _check_instruction(instruction)
    _check_stages(dockerfile, allowed_bases)
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
        raise SubmissionRejected("context-too-large", size_kb=_kb(size), limit_kb=_kb(limits.max_context_bytes))


def _safe_path(path: object) -> bool:
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path or "\0" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.split("/"))


def _parse(data: bytes, limits: SubmissionLimits) -> Dockerfile:
    if len(data) > limits.max_dockerfile_bytes:
        raise SubmissionRejected(
            "dockerfile-too-large", size_kb=_kb(len(data)), limit_kb=_kb(limits.max_dockerfile_bytes)
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionRejected("not-utf8", line=data[: error.start].count(b"\n") + 1) from None
    try:
        dockerfile = parse(text)
    except DockerfileSyntaxError as error:
        raise SubmissionRejected("syntax-error", line=error.line, reason=error.reason) from None
    if "syntax" in dockerfile.directives:
        raise SubmissionRejected("syntax-directive", line=dockerfile.directive_lines["syntax"])
    if len(dockerfile.instructions) > limits.max_instructions:
        raise SubmissionRejected(
            "too-many-instructions", count=len(dockerfile.instructions), limit=limits.max_instructions
        )
    return dockerfile


def _check_instruction(instruction: Instruction) -> None:
    keyword, line = instruction.keyword, instruction.line
    if keyword == "RUN" and instruction.flags:
        raise SubmissionRejected("run-flag", line=line, flag=next(iter(instruction.flags)))
    if keyword in ("ADD", "COPY"):
        _check_sources(instruction)
    if keyword == "LABEL":
        for key in _label_keys(instruction.value):
            if "$" in key:
                raise SubmissionRejected("unverifiable-variable", line=line, keyword=keyword, text=key)
            if key.startswith(RESERVED_LABEL_PREFIX):
                raise SubmissionRejected("reserved-label", line=line, key=key)


def _check_sources(instruction: Instruction) -> None:
    keyword, line = instruction.keyword, instruction.line
    remote_flags = sorted({"checksum", "keep-git-dir"} & instruction.flags.keys())
    if keyword == "ADD" and remote_flags:
        raise SubmissionRejected("add-url", line=line, source=f"--{remote_flags[0]}")
    if "from" in instruction.flags:
        return  # copying out of a stage; checked with the stages
    for source in _sources(instruction):
        if keyword == "ADD" and ("://" in source or source.startswith("git@")):
            raise SubmissionRejected("add-url", line=line, source=source)
        if keyword == "ADD" and "$" in source:  # it could expand to a URL, which the daemon would fetch
            raise SubmissionRejected("unverifiable-variable", line=line, keyword=keyword, text=source)
        if _climbs(source):
            raise SubmissionRejected("copy-outside-context", line=line, keyword=keyword, source=source)


def _climbs(source: str) -> bool:
    """Whether a path leaves the context root on the way ("../x", "a/../../x"); a leading "/" means the root."""
    depth = 0
    for part in source.split("/"):
        depth += -1 if part == ".." else (0 if part in ("", ".") else 1)
        if depth < 0:
            return True
    return False


def _sources(instruction: Instruction) -> list[str]:
    words = instruction.exec_form or _split(instruction)
    return words[:-1]


def _split(instruction: Instruction) -> list[str]:
    try:
        return shlex.split(instruction.value)
    except ValueError:
        return instruction.value.split()


def _label_keys(value: str) -> list[str]:
    """Keys of `LABEL k=v k2="v 2"`, or of the legacy `LABEL key value`."""
    try:
        words = shlex.split(value)
    except ValueError:
        words = value.split()
    if words and "=" not in words[0]:
        return [words[0]]
    return [word.partition("=")[0] for word in words if "=" in word]


def _check_stages(dockerfile: Dockerfile, allowed_bases: Collection[str]) -> None:
    allowed = {_normalise(image) for image in allowed_bases} | {_normalise("scratch")}
    earlier_names: set[str] = set()
    for stage in dockerfile.stages:
        if stage.flags:
            raise SubmissionRejected("from-flag", line=stage.line, flag=next(iter(stage.flags)))
        if "$" in stage.base:
            raise SubmissionRejected("from-variable", line=stage.line, image=stage.base)
        if stage.base.lower() not in earlier_names and _normalise(stage.base) not in allowed:
            shown = ", ".join(sorted(allowed_bases)) or "scratch"
            raise SubmissionRejected("from-not-allowed", line=stage.line, image=stage.base, allowed=shown)
        _check_copy_from(stage.instructions, stage.index, earlier_names)
        if stage.name:
            earlier_names.add(stage.name)


def _check_copy_from(instructions, index: int, earlier_names: set[str]) -> None:
    for instruction in instructions:
        source = instruction.flags.get("from")
        if instruction.keyword != "COPY" or source is None:
            continue
        earlier_index = source.isdigit() and int(source) < index
        if not (earlier_index or source.lower() in earlier_names):
            raise SubmissionRejected("copy-from-image", line=instruction.line, source=source)


def _normalise(image: str) -> str:
    """`name` and `name:latest` are the same image; anything else is compared as written."""
    image = image.strip()
    last = image.rsplit("/", 1)[-1]
    if "@" not in image and ":" not in last:
        return f"{image}:latest"
    return image


def _kb(size: int) -> int:
    return (size + 1023) // 1024
