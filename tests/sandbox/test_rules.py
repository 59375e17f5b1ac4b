"""The submission rules: every rule id, its line and params, and its message in both languages."""
import pytest

from engine.dockerfile import Dockerfile, parse
from engine.rules import REJECTION_MESSAGES, SubmissionLimits, SubmissionRejected, check_submission
from tests.sandbox.examples import GO_MULTI_STAGE

BASES = ("layerlab/golang", "layerlab/busybox")
LANGUAGES = ("en", "zh-hans")

HELLO = 'FROM layerlab/busybox\nCOPY hello.sh /app/hello.sh\nCMD ["/app/hello.sh"]\n'
SHA = "sha256:" + "0" * 64


def files(dockerfile: str | bytes, **others: bytes) -> dict[str, bytes]:
    data = dockerfile.encode() if isinstance(dockerfile, str) else dockerfile
    return {"Dockerfile": data, **others}


DEFAULT_LIMITS = SubmissionLimits()


def check(submission: dict[str, bytes], *, bases=BASES, limits: SubmissionLimits = DEFAULT_LIMITS) -> Dockerfile:
    return check_submission(submission, allowed_bases=bases, limits=limits)


def rejection(submission: dict[str, bytes], *, bases=BASES, limits=DEFAULT_LIMITS) -> SubmissionRejected:
    with pytest.raises(SubmissionRejected) as raised:
        check(submission, bases=bases, limits=limits)
    return raised.value


def rejected(dockerfile: str | bytes, *, bases=BASES) -> SubmissionRejected:
    return rejection(files(dockerfile), bases=bases)


def facts(error: SubmissionRejected) -> tuple:
    return error.rule, error.line, error.params


# One submission per rule (context-symlink is raised while reading a directory, in engine.submission_files).
EXAMPLES: dict[str, tuple[dict[str, bytes], SubmissionLimits]] = {
    "no-dockerfile": ({"main.go": b"package main\n"}, SubmissionLimits()),
    "bad-path": (files("FROM layerlab/busybox\n", **{"../escape": b"x"}), SubmissionLimits()),
    "too-many-files": (files("FROM layerlab/busybox\n", a=b"", b=b""), SubmissionLimits(max_context_files=2)),
    "context-too-large": (files("FROM layerlab/busybox\n", big=b"x" * 2000), SubmissionLimits(max_context_bytes=1024)),
    "dockerfile-too-large": (files("#" * 2049), SubmissionLimits(max_dockerfile_bytes=1024)),
    "not-utf8": (files(b"FROM layerlab/busybox\nRUN echo \xff\n"), SubmissionLimits()),
    "too-many-instructions": (files("FROM layerlab/busybox\nRUN a\nRUN b\n"), SubmissionLimits(max_instructions=2)),
    "syntax-error": (files("FROM layerlab/busybox\nRUNN echo\n"), SubmissionLimits()),
    "unreadable": (files("FROM layerlab/busybox\nLABEL version=1 stable\n"), SubmissionLimits()),
    "ambiguous-instruction": (files("FROM layerlab/busybox\nCOPY --chown=José a /a\n"), SubmissionLimits()),
    "heredoc": (files("FROM layerlab/busybox\nRUN <<EOF\necho hi\nEOF\n"), SubmissionLimits()),
    "onbuild": (files("FROM layerlab/busybox\nONBUILD RUN echo later\n"), SubmissionLimits()),
    "instruction-flag": (files("FROM layerlab/busybox\nCOPY --link a /a\n"), SubmissionLimits()),
    "chmod-flag": (files("FROM layerlab/busybox\nCOPY --chmod=755 a /a\n"), SubmissionLimits()),
    "syntax-directive": (files("# syntax=docker/dockerfile:1\nFROM layerlab/busybox\n"), SubmissionLimits()),
    "add-url": (files("FROM layerlab/busybox\nADD https://example.com/a.tar /a.tar\n"), SubmissionLimits()),
    "run-flag": (files("FROM layerlab/busybox\nRUN --network=host wget example.com\n"), SubmissionLimits()),
    "from-not-allowed": (files("FROM ubuntu\n"), SubmissionLimits()),
    "from-variable": (files("ARG BASE=layerlab/busybox\nFROM $BASE\n"), SubmissionLimits()),
    "from-flag": (files("FROM --platform=linux/arm64 layerlab/busybox\n"), SubmissionLimits()),
    "copy-from-image": (files("FROM layerlab/busybox\nCOPY --from=ubuntu /etc/passwd /p\n"), SubmissionLimits()),
    "copy-outside-context": (files("FROM layerlab/busybox\nCOPY ../secret /s\n"), SubmissionLimits()),
    "reserved-label": (files("FROM layerlab/busybox\nLABEL org.layerlab.sandbox.role=base\n"), SubmissionLimits()),
    "unverifiable-variable": (files("FROM layerlab/busybox\nARG SRC=x\nADD $SRC /x\n"), SubmissionLimits()),
}


# -- success


def test_it_returns_the_parsed_dockerfile():
    dockerfile = check(files(HELLO, **{"hello.sh": b"#!/bin/sh\necho hi\n"}))
    assert dockerfile == parse(HELLO)


def test_it_accepts_the_multi_stage_go_example():
    dockerfile = check(files(GO_MULTI_STAGE, **{"main.go": b"package main\n"}), bases=("layerlab/golang",))
    assert [(s.index, s.base, s.name) for s in dockerfile.stages] == [
        (0, "layerlab/golang", "builder"),
        (1, "scratch", None),
    ]


def test_files_in_subdirectories_are_fine():
    dockerfile = check(files(HELLO, **{"hello.sh": b"", "src/app/main.go": b"", ".dockerignore": b""}))
    assert len(dockerfile.instructions) == 3


# -- every rule, every message


def test_every_rule_but_the_symlink_one_has_an_example_here():
    # Symbolic links are tested where contexts are read from disk; ONBUILD in a pulled image, with the registry.
    assert set(EXAMPLES) | {"context-symlink", "published-onbuild"} == set(REJECTION_MESSAGES)


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_each_example_breaks_its_rule(rule):
    submission, limits = EXAMPLES[rule]
    assert rejection(submission, limits=limits).rule == rule


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_each_rule_has_english_and_chinese_messages_that_format_with_its_params(rule):
    submission, limits = EXAMPLES[rule]
    error = rejection(submission, limits=limits)
    texts = [error.message(language) for language in LANGUAGES]
    assert texts[0] != texts[1]
    assert not any("{" in text or "None" in text for text in texts)


def test_the_symlink_rule_has_english_and_chinese_templates_that_format_with_its_path():
    error = SubmissionRejected("context-symlink", path="passwd")
    assert [error.message(language) for language in LANGUAGES] == [
        "passwd is a symbolic link. Links are not followed into the build context; copy the file itself.",
        "passwd 是符号链接。构建上下文不会跟随链接，请放入文件本身。",
    ]


def test_the_exception_text_is_the_english_message():
    error = rejected("FROM layerlab/busybox\nRUNN echo\n")
    assert str(error) == "Line 2: unknown instruction: RUNN."


def test_an_unknown_language_falls_back_to_english():
    error = rejected("FROM ubuntu\n")
    assert error.message("fr") == error.message("en")


def test_an_unknown_rule_cannot_be_raised():
    with pytest.raises(KeyError):
        SubmissionRejected("no-such-rule", line=1)


# -- the build context


def test_a_submission_without_a_dockerfile_is_rejected():
    error = rejection({"main.go": b"package main\n"})
    assert facts(error) == ("no-dockerfile", None, {})


def test_the_dockerfile_name_is_case_sensitive():
    assert rejection({"dockerfile": b"FROM layerlab/busybox\n"}).rule == "no-dockerfile"


@pytest.mark.parametrize("path", ["/etc/passwd", "../x", "a/../b", "a\\b", "", "a\0b", "./a", "a//b", "a/", ".."])
def test_a_bad_path_is_rejected(path):
    error = rejection(files("FROM layerlab/busybox\n", **{path: b"x"}))
    assert facts(error) == ("bad-path", None, {"path": path})


def test_a_bad_path_is_found_before_the_missing_dockerfile():
    error = rejection({"../Dockerfile": b"FROM layerlab/busybox\n"})
    assert facts(error) == ("bad-path", None, {"path": "../Dockerfile"})


def test_the_bad_path_message_names_the_path_in_both_languages():
    error = rejection(files("FROM layerlab/busybox\n", **{"a/../b": b"x"}))
    assert error.message("en") == (
        "The file name 'a/../b' is not allowed: use a relative path inside the build context, without '..'."
    )
    assert error.message("zh-hans") == "文件名 'a/../b' 不被允许：请使用构建上下文内的相对路径，不要包含“..”。"


def test_too_many_files_are_rejected():
    error = rejection(files("FROM layerlab/busybox\n", a=b"", b=b""), limits=SubmissionLimits(max_context_files=2))
    assert facts(error) == ("too-many-files", None, {"count": 3, "limit": 2})


def test_exactly_the_file_limit_is_fine():
    dockerfile = check(files("FROM layerlab/busybox\n", a=b""), limits=SubmissionLimits(max_context_files=2))
    assert len(dockerfile.instructions) == 1


def test_a_context_over_its_size_limit_is_rejected():
    submission = files("FROM layerlab/busybox\n", big=b"x" * 2000)  # 22 + 2000 bytes
    error = rejection(submission, limits=SubmissionLimits(max_context_bytes=1024))
    assert facts(error) == ("context-too-large", None, {"size_kb": 2, "limit_kb": 1})


def test_a_context_of_exactly_its_size_limit_is_fine():
    submission = files("FROM layerlab/busybox\n", big=b"x" * (1024 - 22))
    assert check(submission, limits=SubmissionLimits(max_context_bytes=1024)).stages[0].base == "layerlab/busybox"


def test_the_size_messages_name_both_sizes():
    submission = files("FROM layerlab/busybox\n", big=b"x" * 2000)
    error = rejection(submission, limits=SubmissionLimits(max_context_bytes=1024))
    assert error.message("en") == "The build context is 2 KB; at most 1 KB is allowed."
    assert error.message("zh-hans") == "构建上下文大小为 2 KB，最多允许 1 KB。"


def test_a_dockerfile_over_its_size_limit_is_rejected():
    error = rejection(files("#" * 2049), limits=SubmissionLimits(max_dockerfile_bytes=1024))
    assert facts(error) == ("dockerfile-too-large", None, {"size_kb": 3, "limit_kb": 1})


def test_too_many_instructions_are_rejected():
    error = rejection(files("FROM layerlab/busybox\nRUN a\nRUN b\n"), limits=SubmissionLimits(max_instructions=2))
    assert facts(error) == ("too-many-instructions", None, {"count": 3, "limit": 2})


def test_comments_and_continuations_do_not_count_as_instructions():
    text = "# note\nFROM layerlab/busybox\nRUN a \\\n  && b \\\n  && c\n"
    dockerfile = check(files(text), limits=SubmissionLimits(max_instructions=2))
    assert len(dockerfile.instructions) == 2


# -- parsing


def test_a_dockerfile_that_is_not_utf8_is_rejected_at_the_bad_line():
    error = rejected(b"FROM layerlab/busybox\nRUN echo ok\n\nRUN echo caf\xe9\n")
    assert facts(error) == ("not-utf8", 4, {})


def test_the_not_utf8_message_names_the_line():
    error = rejected(b"\xffFROM layerlab/busybox\n")
    assert [error.message(language) for language in LANGUAGES] == [
        "Line 1 of the Dockerfile is not valid UTF-8 text.",
        "Dockerfile 第 1 行不是有效的 UTF-8 文本。",
    ]


def test_a_syntax_error_carries_the_parsers_line_and_reason():
    error = rejected("FROM layerlab/busybox\n\n# comment\nRUN echo \\\n  ok\nWORKDIR\n")
    assert facts(error) == ("syntax-error", 6, {"reason": "WORKDIR needs arguments"})


def test_the_syntax_error_message_names_the_line_in_both_languages():
    error = rejected("FROM layerlab/busybox\nRUNN echo\n")
    assert [error.message(language) for language in LANGUAGES] == [
        "Line 2: unknown instruction: RUNN.",
        "第 2 行：unknown instruction: RUNN。",
    ]


def test_a_syntax_directive_is_rejected():
    error = rejected("# syntax=docker/dockerfile:1\nFROM layerlab/busybox\n")
    assert facts(error) == ("syntax-directive", 1, {})


def test_a_syntax_directive_is_rejected_at_its_own_line():
    error = rejected("# escape=`\n# syntax=docker/dockerfile:1\nFROM layerlab/busybox\n")
    assert facts(error) == ("syntax-directive", 2, {})


def test_a_syntax_comment_that_is_not_a_directive_is_fine():
    dockerfile = check(files("# build me\n# syntax=docker/dockerfile:1\nFROM layerlab/busybox\n"))
    assert dockerfile.directives == {}


def test_an_escape_directive_is_fine():
    dockerfile = check(files("# escape=`\nFROM layerlab/busybox\nRUN echo a `\n  b\n"))
    assert dockerfile.directives == {"escape": "`"}


# -- ADD


@pytest.mark.parametrize("source", [
    "http://127.0.0.1:9/x.tar",
    "https://example.com/app.tar.gz",
    "HTTPS://EXAMPLE.COM/APP",
    "git@github.com:layerlab/app.git",
    "https://github.com/layerlab/app.git#main",
])
def test_add_of_a_url_is_rejected(source):
    error = rejected(f"FROM layerlab/busybox\n\nADD {source} /app\n")
    assert facts(error) == ("add-url", 3, {"source": source})


def test_add_of_a_quoted_url_is_rejected_as_docker_splits_it():
    # The builder splits ADD's shell form at whitespace first and removes quotes from each word later.
    error = rejected('FROM layerlab/busybox\nADD "https://example.com/a b.tar" /app\n')
    assert facts(error) == ("add-url", 2, {"source": '"https://example.com/a'})


def test_add_of_a_url_in_exec_form_is_rejected():
    error = rejected('FROM layerlab/busybox\nADD ["https://example.com/a.tar", "/a.tar"]\n')
    assert facts(error) == ("add-url", 2, {"source": "https://example.com/a.tar"})


def test_add_of_a_url_after_a_local_file_is_rejected():
    error = rejected("FROM layerlab/busybox\nADD app.tar https://example.com/b.tar /srv/\n")
    assert facts(error) == ("add-url", 2, {"source": "https://example.com/b.tar"})


def test_add_of_a_url_spread_over_lines_is_rejected_at_its_first_line():
    error = rejected("FROM layerlab/busybox\nADD \\\n  https://example.com/a.tar \\\n  /a.tar\n")
    assert facts(error) == ("add-url", 2, {"source": "https://example.com/a.tar"})


def test_add_with_checksum_is_rejected():
    error = rejected(f"FROM layerlab/busybox\nADD --checksum={SHA} https://example.com/a.tar /a.tar\n")
    assert facts(error) == ("add-url", 2, {"source": "--checksum"})


def test_add_with_keep_git_dir_is_rejected():
    error = rejected("FROM layerlab/busybox\nADD --keep-git-dir=true https://github.com/l/app.git /app\n")
    assert facts(error) == ("add-url", 2, {"source": "--keep-git-dir"})


def test_add_with_checksum_after_another_flag_names_the_checksum_flag():
    error = rejected(f"FROM layerlab/busybox\nADD --chown=1000:1000 --checksum={SHA} https://example.com/a /a\n")
    assert facts(error) == ("add-url", 2, {"source": "--checksum"})


def test_add_of_a_url_held_in_a_variable_is_rejected():
    # The builder expands $SRC in ADD, then fetches the URL from the daemon, on the host's network.
    error = rejected("FROM layerlab/busybox\nARG SRC=http://127.0.0.1:9/x.tar\nADD $SRC /x.tar\n")
    assert error.line == 3


def test_add_of_a_local_file_is_fine():
    dockerfile = check(files("FROM layerlab/busybox\nADD --chown=1000 app.tar.gz /srv/\n", **{"app.tar.gz": b""}))
    assert dockerfile.instructions[1].flags == {"chown": "1000"}


def test_the_add_url_message_names_the_source_and_line_in_both_languages():
    error = rejected("FROM layerlab/busybox\nADD http://example.com/x /x\n")
    assert error.message("en") == (
        "Line 2: ADD cannot fetch http://example.com/x in this sandbox (the build has no network). Put the file in "
        "the build context and COPY it instead."
    )
    assert error.message("zh-hans") == (
        "第 2 行：在此沙箱中 ADD 不能下载 http://example.com/x（构建没有网络）。"
        "请把文件放进构建上下文，再用 COPY 复制。"
    )


# -- RUN


def test_run_with_mount_is_rejected():
    error = rejected("FROM layerlab/golang\nRUN --mount=type=cache,target=/root/.cache go build\n")
    assert facts(error) == ("run-flag", 2, {"flag": "mount"})


def test_run_with_network_is_rejected():
    error = rejected("FROM layerlab/busybox\nRUN --network=host wget http://example.com\n")
    assert facts(error) == ("run-flag", 2, {"flag": "network"})


def test_run_with_security_is_rejected():
    error = rejected("FROM layerlab/busybox\nRUN --security=insecure id\n")
    assert facts(error) == ("run-flag", 2, {"flag": "security"})


def test_run_with_dashes_inside_its_command_is_fine():
    dockerfile = check(files("FROM layerlab/busybox\nRUN echo --mount=type=bind --network=host\n"))
    assert dockerfile.instructions[1].flags == {}


def test_the_run_flag_message_names_the_flag_in_both_languages():
    error = rejected("FROM layerlab/busybox\nRUN --network=host true\n")
    assert [error.message(language) for language in LANGUAGES] == [
        "Line 2: RUN --network is a BuildKit feature that is not available here. Remove the flag.",
        "第 2 行：RUN --network 是 BuildKit 的功能，这里不可用。请删除该参数。",
    ]


# -- FROM


def test_from_an_image_outside_the_list_is_rejected():
    error = rejected("FROM ubuntu\n")
    assert facts(error) == ("from-not-allowed", 1, {"image": "ubuntu", "allowed": "layerlab/busybox, layerlab/golang"})


@pytest.mark.parametrize("image", [
    "layerlab-attempt:abc",
    "docker.io/layerlab/golang",
    "docker.io/library/layerlab/golang",
    f"layerlab/golang@{SHA}",
    "layerlab/golang:1.22",
    "LAYERLAB/GOLANG",
    "registry.example.com:5000/layerlab/golang",
])
def test_from_a_near_miss_of_an_allowed_image_is_rejected(image):
    error = rejected(f"FROM layerlab/busybox AS ok\nRUN true\nFROM {image}\n")
    assert facts(error) == ("from-not-allowed", 3, {"image": image, "allowed": "layerlab/busybox, layerlab/golang"})


def test_an_image_with_latest_matches_the_allowed_name():
    dockerfile = check(files("FROM layerlab/golang:latest\n"), bases=("layerlab/golang",))
    assert dockerfile.stages[0].base == "layerlab/golang:latest"


def test_an_image_name_matches_an_allowed_name_with_latest():
    dockerfile = check(files("FROM layerlab/golang\n"), bases=("layerlab/golang:latest",))
    assert dockerfile.stages[0].base == "layerlab/golang"


def test_an_allowed_image_with_a_tag_matches_only_that_tag():
    error = rejected("FROM layerlab/golang\n", bases=("layerlab/golang:1.22",))
    assert facts(error) == ("from-not-allowed", 1, {"image": "layerlab/golang", "allowed": "layerlab/golang:1.22"})


def test_an_allowed_image_on_a_registry_with_a_port_matches_its_latest_tag():
    dockerfile = check(files("FROM localhost:5000/base:latest\n"), bases=("localhost:5000/base",))
    assert dockerfile.stages[0].base == "localhost:5000/base:latest"


def test_scratch_is_always_allowed():
    dockerfile = check(files("FROM scratch\nCOPY app /app\n", app=b""), bases=("layerlab/busybox",))
    assert dockerfile.stages[0].base == "scratch"


def test_scratch_is_allowed_with_an_empty_list():
    dockerfile = check(files("FROM scratch\nCOPY app /app\n", app=b""), bases=())
    assert dockerfile.stages[0].base == "scratch"


def test_an_empty_list_is_shown_as_scratch():
    error = rejected("FROM ubuntu\n", bases=())
    assert facts(error) == ("from-not-allowed", 1, {"image": "ubuntu", "allowed": "scratch"})


def test_an_earlier_stage_may_be_a_base():
    dockerfile = check(files("FROM layerlab/golang AS Build\nRUN go version\nFROM build\nFROM BUILD\n"))
    assert [s.base for s in dockerfile.stages] == ["layerlab/golang", "build", "BUILD"]


def test_a_later_stage_may_not_be_a_base():
    error = rejected("FROM layerlab/busybox\nFROM later\nFROM layerlab/golang AS later\n")
    assert facts(error) == ("from-not-allowed", 2, {"image": "later", "allowed": "layerlab/busybox, layerlab/golang"})


def test_a_stage_may_not_be_its_own_base():
    error = rejected("FROM self AS self\n")
    assert facts(error) == ("from-not-allowed", 1, {"image": "self", "allowed": "layerlab/busybox, layerlab/golang"})


def test_the_from_message_names_the_image_and_the_allowed_list_in_both_languages():
    error = rejected("FROM layerlab/busybox\nRUN true\nFROM layerlab-attempt:abc\n")
    assert [error.message(language) for language in LANGUAGES] == [
        "Line 3: FROM layerlab-attempt:abc is not allowed in this exercise. Use one of: "
        "layerlab/busybox, layerlab/golang.",
        "第 3 行：本练习不允许 FROM layerlab-attempt:abc。请使用以下之一：layerlab/busybox, layerlab/golang。",
    ]


@pytest.mark.parametrize("image", ["$BASE", "${BASE}", "layerlab/golang:${VERSION}", "${BASE:-layerlab/golang}"])
def test_from_with_a_variable_is_rejected(image):
    error = rejected(f"ARG BASE=layerlab/golang\nARG VERSION=latest\nFROM {image}\n")
    assert facts(error) == ("from-variable", 3, {"image": image})


def test_from_with_platform_is_rejected():
    error = rejected("FROM --platform=linux/arm64 layerlab/golang AS build\n")
    assert facts(error) == ("from-flag", 1, {"flag": "platform"})


def test_a_from_flag_is_rejected_on_a_later_stage_too():
    error = rejected("FROM layerlab/golang AS build\nRUN true\nFROM --platform=$BUILDPLATFORM layerlab/busybox\n")
    assert facts(error) == ("from-flag", 3, {"flag": "platform"})


# -- COPY --from


def test_copy_from_an_image_is_rejected():
    error = rejected("FROM layerlab/golang\nCOPY --from=layerlab/busybox /bin/sh /sh\n")
    assert facts(error) == ("copy-from-image", 2, {"source": "layerlab/busybox"})


def test_copy_from_another_attempt_is_rejected():
    error = rejected("FROM layerlab/golang\nCOPY --from=layerlab-attempt:abc /app /app\n")
    assert facts(error) == ("copy-from-image", 2, {"source": "layerlab-attempt:abc"})


def test_copy_from_a_later_stage_is_rejected():
    error = rejected("FROM layerlab/golang AS first\nCOPY --from=second /x /x\nFROM layerlab/busybox AS second\n")
    assert facts(error) == ("copy-from-image", 2, {"source": "second"})


def test_copy_from_a_later_stage_index_is_rejected():
    error = rejected("FROM layerlab/golang\nCOPY --from=1 /x /x\nFROM layerlab/busybox\n")
    assert facts(error) == ("copy-from-image", 2, {"source": "1"})


def test_copy_from_the_current_stage_index_is_rejected():
    error = rejected("FROM layerlab/golang\nRUN true\nFROM layerlab/busybox\nCOPY --from=1 /x /x\n")
    assert facts(error) == ("copy-from-image", 4, {"source": "1"})


def test_copy_from_the_current_stage_name_is_rejected():
    error = rejected("FROM layerlab/golang AS build\nCOPY --from=build /x /x\n")
    assert facts(error) == ("copy-from-image", 2, {"source": "build"})


def test_copy_from_an_earlier_stage_index_is_fine():
    dockerfile = check(files("FROM layerlab/golang\nRUN true\nFROM layerlab/busybox\nCOPY --from=0 /x /x\n"))
    assert dockerfile.stages[1].instructions[0].flags == {"from": "0"}


def test_copy_from_an_earlier_stage_name_is_fine_in_any_case():
    text = "FROM layerlab/golang AS Build\nRUN true\nFROM layerlab/busybox\nCOPY --from=BUILD /x /x\n"
    assert check(files(text)).stages[1].instructions[0].flags == {"from": "BUILD"}


def test_copy_from_a_stage_may_use_any_path_inside_that_stage():
    text = "FROM layerlab/golang AS build\nRUN true\nFROM layerlab/busybox\nCOPY --from=build ../../out/app /app\n"
    assert check(files(text)).stages[1].instructions[0].value == "../../out/app /app"


def test_the_copy_from_message_names_the_source_in_both_languages():
    error = rejected("FROM layerlab/golang\nCOPY --from=ubuntu /etc/passwd /p\n")
    assert [error.message(language) for language in LANGUAGES] == [
        "Line 2: COPY --from=ubuntu must name an earlier stage of this Dockerfile (by its AS name or number), "
        "not an image.",
        "第 2 行：COPY --from=ubuntu 必须指向本 Dockerfile 中更早的阶段（用 AS 名称或序号），不能是镜像。",
    ]


# -- paths outside the context


@pytest.mark.parametrize("source", ["../secret", "..", "a/../../x", "./../x", "src/../../../etc/passwd"])
def test_copy_from_outside_the_context_is_rejected(source):
    error = rejected(f"FROM layerlab/busybox\nCOPY {source} /dst\n")
    assert facts(error) == ("copy-outside-context", 2, {"keyword": "COPY", "source": source})


def test_copy_from_outside_the_context_in_exec_form_is_rejected():
    error = rejected('FROM layerlab/busybox\nCOPY ["../x", "/y"]\n')
    assert facts(error) == ("copy-outside-context", 2, {"keyword": "COPY", "source": "../x"})


def test_a_second_source_outside_the_context_is_rejected():
    error = rejected("FROM layerlab/busybox\nCOPY --chown=1000 app ../secret /dst/\n")
    assert facts(error) == ("copy-outside-context", 2, {"keyword": "COPY", "source": "../secret"})


def test_add_from_outside_the_context_is_rejected():
    error = rejected("FROM layerlab/busybox\nADD ../secret.tar /\n")
    assert facts(error) == ("copy-outside-context", 2, {"keyword": "ADD", "source": "../secret.tar"})


@pytest.mark.parametrize("source", ["./a/../b", "a/..", "a/b/../../c", ".", "./", "/", "/app"])
def test_a_path_that_stays_inside_the_context_is_fine(source):
    assert check(files(f"FROM layerlab/busybox\nCOPY {source} /dst/\n")).instructions[1].value == f"{source} /dst/"


def test_the_destination_is_not_a_source():
    assert check(files("FROM layerlab/busybox\nCOPY app ../../srv/app\n")).instructions[1].value == "app ../../srv/app"


def test_the_outside_context_message_names_the_keyword_and_source_in_both_languages():
    error = rejected("FROM layerlab/busybox\nCOPY ../ /host\n")
    assert [error.message(language) for language in LANGUAGES] == [
        "Line 2: COPY ../ points outside the build context. Only files in the context can be copied.",
        "第 2 行：COPY ../ 指向构建上下文之外。只能复制上下文中的文件。",
    ]


# -- labels


def test_a_reserved_label_is_rejected():
    error = rejected("FROM layerlab/busybox\nLABEL org.layerlab.x=1\n")
    assert facts(error) == ("reserved-label", 2, {"key": "org.layerlab.x"})


def test_a_reserved_label_in_the_legacy_form_is_rejected():
    error = rejected("FROM layerlab/busybox\nLABEL org.layerlab.x v\n")
    assert facts(error) == ("reserved-label", 2, {"key": "org.layerlab.x"})


def test_a_reserved_label_after_an_ordinary_one_is_rejected():
    error = rejected('FROM layerlab/busybox\nLABEL version="1.0" "org.layerlab.sandbox.role"="base"\n')
    assert facts(error) == ("reserved-label", 2, {"key": "org.layerlab.sandbox.role"})


def test_a_reserved_label_on_an_indented_continuation_line_is_rejected():
    # The builder joins `LABEL a=1\` and `    org.layerlab...=base` into two labels.
    error = rejected("FROM layerlab/busybox\nLABEL a=1\\\n    org.layerlab.sandbox.role=base\n")
    assert facts(error) == ("reserved-label", 2, {"key": "org.layerlab.sandbox.role"})


def test_a_reserved_label_key_held_in_a_variable_is_rejected():
    # The builder expands variables in LABEL keys as well as values.
    error = rejected("FROM layerlab/busybox\nARG KEY=org.layerlab.sandbox.role\nLABEL $KEY=base\n")
    assert error.line == 3


def test_ordinary_labels_are_fine():
    text = (
        'FROM layerlab/busybox\nLABEL maintainer="me" org.opencontainers.image.title=app\n'
        "LABEL description a layerlab exercise\nLABEL org.layerlab=1 org.layerlabs.x=2\n"
    )
    assert len(check(files(text)).instructions) == 4


def test_the_reserved_label_message_names_the_key_in_both_languages():
    error = rejected("FROM layerlab/busybox\nLABEL org.layerlab.owner=me\n")
    assert [error.message(language) for language in LANGUAGES] == [
        "Line 2: the label org.layerlab.owner is reserved for Layerlab's own bookkeeping. Choose another name.",
        "第 2 行：标签 org.layerlab.owner 保留给 Layerlab 内部使用。请换一个名字。",
    ]


# -- order


def test_the_first_broken_rule_wins():
    error = rejected("FROM ubuntu\nRUN --mount=type=secret,id=x cat /run/secrets/x\n")
    assert facts(error) == ("run-flag", 2, {"flag": "mount"})


def test_instructions_are_checked_in_order():
    error = rejected("FROM layerlab/busybox\nLABEL org.layerlab.x=1\nADD https://example.com/a /a\n")
    assert facts(error) == ("reserved-label", 2, {"key": "org.layerlab.x"})
