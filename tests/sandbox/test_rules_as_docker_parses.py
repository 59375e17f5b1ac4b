"""The rules judge a Dockerfile as Docker reads it: every spelling of a URL for ADD, of ONBUILD, of an image to read
from, and of a reserved label is refused; where the two parsers could read a submission differently, it is refused.
"""
import pytest

from engine.rules import SubmissionRejected, check_submission

BASES = ("layerlab/busybox",)
URL = "http://127.0.0.1:8000/secret"


def rejected(dockerfile: str) -> SubmissionRejected:
    with pytest.raises(SubmissionRejected) as raised:
        check_submission({"Dockerfile": dockerfile.encode(), "a": b""}, allowed_bases=BASES)
    return raised.value


def accepted(dockerfile: str) -> None:
    check_submission({"Dockerfile": dockerfile.encode(), "a": b""}, allowed_bases=BASES)


def rule_and_line(dockerfile: str) -> tuple[str, int | None]:
    error = rejected(dockerfile)
    return error.rule, error.line


# -- ADD of a URL, however it is written


@pytest.mark.parametrize("add", [
    'ADD ["http:\\/\\/127.0.0.1:8000\\/secret", "/s"]',
    'ADD ["\\u0068ttp://127.0.0.1:8000/secret", "/s"]',
    f'ADD ["{URL}", "/s"] trailing words',  # the builder's JSON decoder ignores what follows the array
    f"add {URL} /s",
    f"aDd {URL} /s",
    f"ADD --chown=1000 {URL} /s",
    f'ADD --chown="a b" {URL} /s',
    f"ADD --chmod=644 a {URL} /s",
    'ADD http:"//"127.0.0.1:8000/secret /s',
    "ADD 'http://127.0.0.1:8000/secret' /s",
    "ADD http:\\/\\/127.0.0.1:8000/secret /s",
    "ADD ht\\\ntp://127.0.0.1:8000/secret /s",
    "ADD \\\n# a comment inside the continuation\n  http://127.0.0.1:8000/secret /s",
    "ADD\thttp://127.0.0.1:8000/secret\t/s",
    "ADD HTTP://127.0.0.1:8000/secret /s",
    "ADD ftp://127.0.0.1/secret /s",
    "ADD s3://bucket/secret /s",
    "ADD file:///etc/passwd /s",
    "ADD git@github.com:layerlab/app.git /app",
    "ADD GIT@github.com:layerlab/app.git /app",
    "ADD ${SRC:-http://127.0.0.1:8000/secret} /s",
])
def test_add_of_a_url_is_refused_in_every_spelling(add):
    assert rule_and_line(f"FROM layerlab/busybox\n{add}\n") == ("add-url", 2)


def test_a_backtick_escape_splitting_the_url_across_lines_is_refused():
    assert rule_and_line("# escape=`\nFROM layerlab/busybox\nADD http:/`\n/127.0.0.1:8000/secret /s\n") == (
        "add-url", 3)


def test_an_add_after_an_escaped_escape_character_is_an_instruction_of_its_own():
    # `\\` at the end of a line is an escaped backslash, not a continuation: Docker reads an ADD on line 3.
    assert rule_and_line(f"FROM layerlab/busybox\nRUN echo \\\\\nADD {URL} /s\n") == ("add-url", 3)


def test_the_url_is_named_as_docker_decoded_it():
    error = rejected('FROM layerlab/busybox\nADD ["http:\\/\\/127.0.0.1:8000\\/secret", "/s"]\n')
    assert error.params == {"source": URL}


@pytest.mark.parametrize("flag", [f"--checksum=sha256:{'0' * 64}", "--keep-git-dir=true", "--checksum"])
def test_add_flags_for_remote_sources_are_refused(flag):
    assert rule_and_line(f"FROM layerlab/busybox\nADD {flag} a /a\n") == ("add-url", 2)


@pytest.mark.parametrize("source", ["$SRC", "${SRC}", '"$SRC"', "a$SRC", "$SRC:8000/secret"])
def test_add_of_a_variable_that_could_expand_to_a_url_is_refused(source):
    error = rejected(f"FROM layerlab/busybox\nARG SRC={URL}\nADD {source} /s\n")
    assert (error.rule, error.line, error.params["text"]) == ("unverifiable-variable", 3, source)


def test_add_of_a_local_file_in_json_form_is_fine():
    accepted('FROM layerlab/busybox\nADD ["a", "/a"]\n')


# -- ONBUILD


@pytest.mark.parametrize("trigger", [
    f"ONBUILD ADD {URL} /s",
    "ONBUILD COPY --from=layerlab-attempt:other /secret /s",
    "ONBUILD RUN echo later",
    "onbuild run echo later",
    "OnBuild LABEL a=b",
    "ONBUILD ONBUILD RUN echo much later",
    "ONBUILD \\\n  RUN echo later",
])
def test_onbuild_is_refused_whatever_it_triggers(trigger):
    assert rule_and_line(f"FROM layerlab/busybox\n{trigger}\n") == ("onbuild", 2)


def test_the_onbuild_message_says_why_in_both_languages():
    error = rejected("FROM layerlab/busybox\nONBUILD RUN echo later\n")
    assert [error.message(language) for language in ("en", "zh-hans")] == [
        "Line 2: ONBUILD is not allowed here: its triggers would run in a later build, outside this exercise's "
        "checks. Remove the instruction.",
        "第 2 行：这里不允许使用 ONBUILD：它的触发指令会在之后的构建中运行，不受本练习的检查约束。请删除这条指令。",
    ]


# -- every image a build reads


@pytest.mark.parametrize(("copy", "rule"), [
    ("COPY --from=layerlab-attempt:other /secret /s", "copy-from-image"),
    ('COPY --chown="a b" --from=layerlab-attempt:other /secret /s', "copy-from-image"),
    ("COPY --chown='a b' --from=layerlab-attempt:other /secret /s", "copy-from-image"),
    ('COPY --"from"=layerlab-attempt:other /secret /s', "copy-from-image"),
    ('COPY --from="layerlab-attempt:other" /secret /s', "copy-from-image"),
    ("COPY --from=layerlab\\-attempt:other /secret /s", "copy-from-image"),
    ("COPY \\\n  --from=layerlab-attempt:other /secret /s", "copy-from-image"),
    ("copy --from=layerlab-attempt:other /secret /s", "copy-from-image"),
    ("COPY --from= /secret /s", "copy-from-image"),
    ("COPY --from=+0 /secret /s", "copy-from-image"),
    ("COPY --from=\u0660 /secret /s", "ambiguous-instruction"),  # Go splits flags byte by byte
    ("COPY --from=BUİLD /secret /s", "ambiguous-instruction"),
    ("COPY --FROM=layerlab-attempt:other /secret /s", "instruction-flag"),
    ("COPY --From=layerlab-attempt:other /secret /s", "instruction-flag"),
    ("ADD --from=build /secret /s", "instruction-flag"),
    ("COPY --from=$IMAGE /secret /s", "unverifiable-variable"),
    ("COPY --from=${IMAGE} /secret /s", "unverifiable-variable"),
    ("RUN --mount=from=layerlab-attempt:other,target=/other cat /other/secret", "run-flag"),
    ("RUN --mount=type=bind,from=build,target=/b true", "run-flag"),
])
def test_every_image_a_later_stage_reads_must_be_an_earlier_stage(copy, rule):
    dockerfile = f"FROM layerlab/busybox AS build\nRUN true\nFROM layerlab/busybox\n{copy}\n"
    assert rule_and_line(dockerfile) == (rule, 4)


@pytest.mark.parametrize("source", ["build", "BUILD", "0", "00"])
def test_an_earlier_stage_may_be_read_by_name_or_number(source):
    accepted(f"FROM layerlab/busybox AS build\nRUN true\nFROM layerlab/busybox\nCOPY --from={source} /x /x\n")


def test_copy_with_the_flags_the_classic_builder_knows_is_fine():
    accepted("FROM layerlab/busybox AS build\nRUN true\nFROM layerlab/busybox\n"
             'COPY --chown="1000:1000" --from=build /x /x\nADD --chown=1000 a /a\n')


@pytest.mark.parametrize("instruction", ["COPY --chmod=755 a /a", "ADD --chown=1000 --chmod=600 a /a",
                                         "COPY --from=0 --chmod=755 /x /x"])
def test_chmod_is_refused_with_a_way_to_do_without_buildkit(instruction):
    error = rejected(f"FROM layerlab/busybox\n{instruction}\n")
    assert (error.rule, error.line) == ("chmod-flag", 2)
    assert "BuildKit" in error.message("en") and "RUN chmod +x" in error.message("en")
    assert "chmod +x" in error.message("zh-hans")


@pytest.mark.parametrize("base", [
    "$BASE", "${BASE}", "layerlab/busybox:$TAG", '"layerlab/busybox"', "layerlab/busy\\box", "LAYERLAB/BUSYBOX",
    "layerlab-attempt:other",
])
def test_from_must_name_an_allowed_image_as_written(base):
    rule, line = rule_and_line(f"ARG BASE=layerlab/busybox\nARG TAG=latest\nFROM {base}\n")
    assert (rule, line) in {("from-variable", 3), ("from-not-allowed", 3)}


def test_from_an_earlier_stage_with_a_name_that_is_not_ascii_is_refused():
    # An unnamed first stage must not match a name that Python and Go would lower-case differently.
    assert rule_and_line("FROM layerlab/busybox\nFROM layerlab/busybox AS ok\nFROM BUİLD\n") == (
        "from-not-allowed", 3)


# -- flags the engine's builder does not know


@pytest.mark.parametrize(("instruction", "flag"), [
    ("COPY --link a /a", "link"),
    ("COPY --parents a /a", "parents"),
    ("COPY --exclude=b a /a", "exclude"),
    ("ADD --link a /a", "link"),
    ("ENV --x=1 A=b", "x"),
    ("CMD --verbose true", "verbose"),
    ("HEALTHCHECK --start-interval=1s CMD true", "start-interval"),
])
def test_flags_the_classic_builder_does_not_know_are_refused(instruction, flag):
    error = rejected(f"FROM layerlab/busybox\n{instruction}\n")
    assert (error.rule, error.line, error.params) == (
        "instruction-flag", 2, {"keyword": instruction.split()[0], "flag": flag})


def test_healthcheck_flags_are_fine():
    accepted("FROM layerlab/busybox\nHEALTHCHECK --interval=5s --timeout=2s --start-period=1s --retries=3 "
             'CMD ["true"]\n')


# -- labels as Docker reads their keys


@pytest.mark.parametrize("label", [
    'LABEL "org.layerlab.sandbox.role"=base',
    "LABEL 'org.layerlab.sandbox.role'=base",
    'LABEL org.layer"lab".sandbox.role=base',
    "LABEL org.layer\\lab.sandbox.role=base",
    "LABEL a=1 \\\n    org.layerlab.sandbox.role=base",
    "LABEL org.layerlab.sandbox.role base",
    'label "a b"=1 org.layerlab.sandbox.role="x y"',
])
def test_a_reserved_label_is_refused_however_its_key_is_quoted(label):
    error = rejected(f"FROM layerlab/busybox\n{label}\n")
    assert (error.rule, error.line, error.params) == ("reserved-label", 2, {"key": "org.layerlab.sandbox.role"})


def test_label_values_that_look_reserved_are_fine():
    accepted('FROM layerlab/busybox\nLABEL note="org.layerlab.sandbox.role=base" "a b"=c\n')


# -- heredocs, which the engine's builder would read as instructions


@pytest.mark.parametrize("heredoc", [
    f"RUN <<EOF\nADD {URL} /s\nEOF",
    "RUN cat <<'EOF' > /x\nhello\nEOF",
    "RUN <<-EOF\n\techo hi\n\tEOF",
    "COPY <<EOF /x\nhello\nEOF",
    "run <<EOF\necho hi\nEOF",
])
def test_heredocs_are_refused(heredoc):
    assert rule_and_line(f"FROM layerlab/busybox\n{heredoc}\n") == ("heredoc", 2)


# -- where the two readings could differ


@pytest.mark.parametrize("dockerfile", [
    "FROM layerlab/busybox\nCOPY --chown=José a /a\n",  # Go reads a flag byte by byte
    "FROM layerlab/busybox\nCOPY --chown=a\u00a0b a /a\n",
    'FROM layerlab/busybox\nCMD ["\\ud800"]\n',  # a lone surrogate: Go decodes it as U+FFFD
])
def test_a_submission_the_two_parsers_read_differently_is_refused(dockerfile):
    assert rule_and_line(dockerfile) == ("ambiguous-instruction", 2)


@pytest.mark.parametrize(("dockerfile", "reason"), [
    ("FROM layerlab/busybox\nLABEL version=1 stable\n",
     "Syntax error - can't find = in \"stable\". Must be of the form: name=value"),
    ("FROM layerlab/busybox\nENV PATH\n", "ENV must have two arguments"),
    ("", "file with no instructions"),
    ("# only a comment\n", "file with no instructions"),
])
def test_what_docker_cannot_read_is_refused_with_its_reason(dockerfile, reason):
    error = rejected(dockerfile)
    assert (error.rule, error.params) == ("unreadable", {"reason": reason})


def test_a_mistake_both_parsers_find_is_reported_at_its_line():
    error = rejected('FROM layerlab/busybox\nRUN true\nCMD ["echo", 1]\n')
    assert (error.rule, error.line) == ("syntax-error", 3)
