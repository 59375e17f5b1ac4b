"""The Dockerfile parser: directives, continuations, comments, flags, exec form, stages and build steps.

Expected values follow the classic builder's parser (moby/buildkit frontend/dockerfile/parser), which is what the
sandbox engine builds with.
"""
import pytest

from engine.dockerfile import DockerfileSyntaxError, Instruction, parse
from tests.sandbox.examples import GO_MULTI_STAGE


def syntax_error(text: str) -> DockerfileSyntaxError:
    with pytest.raises(DockerfileSyntaxError) as raised:
        parse(text)
    return raised.value


# -- continuations, comments and blank lines


def test_it_joins_continuation_lines():
    dockerfile = parse("FROM scratch\nRUN apt-get update && \\\napt-get install -y curl\nCMD [\"sh\"]\n")
    run = dockerfile.instructions[1]
    assert (run.keyword, run.value, run.line, run.end_line) == (
        "RUN", "apt-get update && apt-get install -y curl", 2, 3
    )


def test_the_instruction_after_a_continuation_keeps_its_own_line():
    dockerfile = parse("FROM scratch\nRUN apt-get update && \\\napt-get install -y curl\nCMD [\"sh\"]\n")
    cmd = dockerfile.instructions[2]
    assert (cmd.keyword, cmd.line, cmd.end_line) == ("CMD", 4, 4)


def test_it_joins_an_instruction_spread_over_many_lines():
    dockerfile = parse("FROM scratch\nRUN a \\\nb \\\nc \\\nd\n")
    run = dockerfile.instructions[1]
    assert (run.value, run.line, run.end_line) == ("a b c d", 2, 5)


def test_spaces_after_the_escape_character_still_continue_the_line():
    dockerfile = parse("FROM scratch\nRUN echo a \\  \t\nb\n")
    run = dockerfile.instructions[1]
    assert (run.value, run.line, run.end_line) == ("echo a b", 2, 3)


def test_an_escaped_escape_character_at_the_end_does_not_continue_the_line():
    # The builder's continuation pattern wants something other than the escape character before the last one.
    dockerfile = parse("FROM scratch\nRUN echo a\\\\\nADD b /b\n")
    assert [(i.keyword, i.value, i.line) for i in dockerfile.instructions] == [
        ("FROM", "scratch", 1),
        ("RUN", "echo a\\\\", 2),
        ("ADD", "b /b", 3),
    ]


def test_a_lone_escape_character_on_a_line_continues_it():
    dockerfile = parse("FROM scratch\nRUN echo a \\\n  \\\nb\n")
    run = dockerfile.instructions[1]
    assert (run.value, run.line, run.end_line) == ("echo a   b", 2, 4)


def test_only_spaces_and_tabs_may_follow_the_escape_character_of_a_continuation():
    dockerfile = parse("FROM scratch\nRUN echo a \\\x0b\nCMD b\n")
    assert [(i.keyword, i.line) for i in dockerfile.instructions] == [("FROM", 1), ("RUN", 2), ("CMD", 3)]


def test_an_instruction_keeps_its_joined_text():
    dockerfile = parse("FROM scratch\nRUN echo a \\\n# note\n  b\n")
    assert dockerfile.instructions[1].text == "RUN echo a   b"


def test_it_keeps_the_indentation_of_the_last_continuation_line():
    # The builder only strips leading whitespace from an instruction's first line: `RUN echo a\` followed by
    # `    b` is `echo a    b` (two words), never `echo ab`.
    dockerfile = parse("FROM scratch\nRUN echo a\\\n    b\n")
    assert dockerfile.instructions[1].value == "echo a    b"


def test_it_keeps_the_indentation_of_a_middle_continuation_line():
    dockerfile = parse("FROM scratch\nRUN echo a\\\n  b \\\nc\n")
    assert dockerfile.instructions[1].value == "echo a  b c"


def test_it_drops_comment_lines_inside_a_continuation():
    dockerfile = parse("FROM scratch\nRUN echo a \\\n# a comment\n    # an indented comment\nb\nCMD x\n")
    run, cmd = dockerfile.instructions[1:]
    assert (run.value, run.line, run.end_line) == ("echo a b", 2, 5)
    assert (cmd.line, cmd.end_line) == (6, 6)


def test_an_empty_line_inside_a_continuation_does_not_end_the_instruction():
    # The builder skips empty continuation lines (with a deprecation warning) and keeps joining.
    dockerfile = parse("FROM scratch\nRUN echo a \\\n\nb\n")
    assert [(i.keyword, i.value, i.line, i.end_line) for i in dockerfile.instructions] == [
        ("FROM", "scratch", 1, 1),
        ("RUN", "echo a b", 2, 4),
    ]


def test_a_continuation_left_open_at_the_end_of_the_file_is_an_error():
    error = syntax_error("FROM scratch\nRUN echo a \\")
    assert (error.line, error.reason) == (2, "the last instruction ends with a line continuation; finish it")


def test_a_continuation_followed_only_by_comments_and_blank_lines_is_left_open():
    error = syntax_error("FROM scratch\nRUN echo a \\\n\n# the end\n")
    assert (error.line, error.reason) == (2, "the last instruction ends with a line continuation; finish it")


def test_blank_lines_and_comments_between_continuation_lines_are_all_skipped():
    dockerfile = parse("FROM scratch\nRUN echo a \\\n\n# one\n   \nb \\\n\nc\nCMD x\n")
    assert [(i.keyword, i.value, i.line, i.end_line) for i in dockerfile.instructions] == [
        ("FROM", "scratch", 1, 1),
        ("RUN", "echo a b c", 2, 8),
        ("CMD", "x", 9, 9),
    ]


def test_it_skips_comments_and_blank_lines_between_instructions():
    dockerfile = parse("\n# a comment\n\nFROM scratch\n\n   \n\t\n  # indented comment\nRUN echo hi\n\n")
    assert [(i.keyword, i.line, i.end_line) for i in dockerfile.instructions] == [("FROM", 4, 4), ("RUN", 9, 9)]


def test_it_strips_leading_whitespace_before_an_instruction():
    dockerfile = parse("   FROM scratch\n\tRUN echo hi\n")
    assert [(i.keyword, i.value) for i in dockerfile.instructions] == [("FROM", "scratch"), ("RUN", "echo hi")]


def test_it_handles_windows_line_endings():
    dockerfile = parse("FROM scratch\r\nRUN echo a \\\r\nb\r\nCMD x\r\n")
    assert [(i.keyword, i.value, i.line, i.end_line) for i in dockerfile.instructions] == [
        ("FROM", "scratch", 1, 1),
        ("RUN", "echo a b", 2, 3),
        ("CMD", "x", 4, 4),
    ]


def test_only_newlines_end_a_line():
    # The builder reads lines with bufio.Scanner: a form feed (or NEL, U+2028 ...) inside a comment is part of it.
    dockerfile = parse("FROM scratch\n# page one\x0cpage two\nRUN echo hi\n")
    assert [(i.keyword, i.line) for i in dockerfile.instructions] == [("FROM", 1), ("RUN", 3)]


def test_a_byte_order_mark_before_the_first_instruction_is_ignored():
    dockerfile = parse("\ufeffFROM scratch\nRUN echo hi\n")
    assert [(i.keyword, i.value, i.line) for i in dockerfile.instructions] == [
        ("FROM", "scratch", 1),
        ("RUN", "echo hi", 2),
    ]


def test_an_empty_file_has_no_instructions():
    dockerfile = parse("")
    assert (dockerfile.instructions, dockerfile.stages, dockerfile.directives) == ((), (), {})


# -- keywords and errors


def test_it_reads_keywords_case_insensitively():
    dockerfile = parse("from scratch\nrun echo Hi\nCoPy A B\n")
    assert [(i.keyword, i.value) for i in dockerfile.instructions] == [
        ("FROM", "scratch"),
        ("RUN", "echo Hi"),
        ("COPY", "A B"),
    ]


def test_a_tab_may_separate_the_keyword_from_its_arguments():
    dockerfile = parse("FROM scratch\nRUN\techo hi\n")
    run = dockerfile.instructions[1]
    assert (run.keyword, run.value) == ("RUN", "echo hi")


def test_a_tab_separates_the_keyword_when_the_line_has_no_space():
    dockerfile = parse("FROM scratch\nWORKDIR\t/app\n")
    workdir = dockerfile.instructions[1]
    assert (workdir.keyword, workdir.value) == ("WORKDIR", "/app")


def test_only_ascii_whitespace_separates_the_keyword():
    error = syntax_error("FROM scratch\nRUN\u00a0echo hi\n")
    assert (error.line, error.reason) == (2, "unknown instruction: RUN\u00a0echo")


def test_a_keyword_with_letters_python_would_upper_case_into_ascii_is_unknown():
    # "ı".upper() is "I" in Python; Docker compares keywords byte by byte.
    error = syntax_error("FROM scratch\nentrypoınt [\"sh\"]\n")
    assert (error.line, error.reason) == (2, "unknown instruction: entrypoınt")


def test_an_unknown_instruction_is_an_error_at_its_line():
    error = syntax_error("FROM scratch\n\n# comment\nRUNN echo hi\n")
    assert (error.line, error.reason) == (4, "unknown instruction: RUNN")


def test_an_unknown_instruction_error_keeps_the_word_as_written():
    error = syntax_error("FROM scratch\nfrobnicate now\n")
    assert (error.line, error.reason) == (2, "unknown instruction: frobnicate")


def test_an_unknown_instruction_spanning_lines_is_reported_at_its_first_line():
    error = syntax_error("FROM scratch\nFOO \\\nbar\n")
    assert (error.line, error.reason) == (2, "unknown instruction: FOO")


def test_the_syntax_error_message_names_the_line():
    error = syntax_error("FROM scratch\nRUNN x\n")
    assert str(error) == "line 2: unknown instruction: RUNN"


def test_an_instruction_without_arguments_is_an_error():
    error = syntax_error("FROM scratch\nWORKDIR   \n")
    assert (error.line, error.reason) == (2, "WORKDIR needs arguments")


def test_from_without_an_image_is_an_error():
    error = syntax_error("FROM\n")
    assert (error.line, error.reason) == (1, "FROM needs arguments")


def test_an_instruction_with_only_flags_is_an_error():
    error = syntax_error("FROM scratch\nCOPY --chown=1000\n")
    assert (error.line, error.reason) == (2, "COPY needs arguments")


def test_an_instruction_before_from_is_an_error():
    error = syntax_error("# comment\nRUN echo hi\nFROM scratch\n")
    assert (error.line, error.reason) == (2, "RUN comes before the first FROM; only ARG may")


def test_arg_may_come_before_from():
    dockerfile = parse("ARG VERSION=1.22\nFROM layerlab/golang:${VERSION}\nARG VERSION\n")
    assert [(i.keyword, i.value, i.line) for i in dockerfile.instructions] == [
        ("ARG", "VERSION=1.22", 1),
        ("FROM", "layerlab/golang:${VERSION}", 2),
        ("ARG", "VERSION", 3),
    ]


def test_an_arg_before_from_belongs_to_no_stage():
    dockerfile = parse("ARG VERSION=1.22\nFROM layerlab/golang:${VERSION}\nARG VERSION\n")
    (stage,) = dockerfile.stages
    assert [(i.keyword, i.line) for i in stage.instructions] == [("ARG", 3)]


# -- flags


def test_it_reads_flags():
    dockerfile = parse("FROM scratch\nCOPY --from=builder --chown=1000:1000 a b\n")
    copy = dockerfile.instructions[1]
    assert (copy.flags, copy.value) == ({"from": "builder", "chown": "1000:1000"}, "a b")


def test_an_instruction_without_flags_has_an_empty_flags_dict():
    dockerfile = parse("FROM scratch\nCOPY a b\n")
    assert dockerfile.instructions[1].flags == {}


def test_a_flag_without_a_value_is_read_as_an_empty_string():
    dockerfile = parse("FROM scratch\nCOPY --link a /a\n")
    copy = dockerfile.instructions[1]
    assert (copy.flags, copy.value) == ({"link": ""}, "a /a")


def test_a_flag_value_may_contain_equals_signs_and_commas():
    dockerfile = parse("FROM scratch\nRUN --mount=type=cache,target=/root/.cache go build\n")
    run = dockerfile.instructions[1]
    assert (run.flags, run.value) == ({"mount": "type=cache,target=/root/.cache"}, "go build")


def test_flags_may_come_from_a_continuation_line():
    dockerfile = parse("FROM scratch\nCOPY \\\n--from=builder /out /out\n")
    copy = dockerfile.instructions[1]
    assert (copy.flags, copy.value, copy.line, copy.end_line) == ({"from": "builder"}, "/out /out", 2, 3)


def test_double_dashes_after_the_first_argument_are_not_flags():
    dockerfile = parse("FROM scratch\nRUN echo --mount=x\n")
    run = dockerfile.instructions[1]
    assert (run.flags, run.value) == ({}, "echo --mount=x")


def test_a_quoted_flag_value_may_hold_spaces():
    dockerfile = parse('FROM scratch\nCOPY --chown="a b" --from=other /a /b\n')
    copy = dockerfile.instructions[1]
    assert (copy.flags, copy.value) == ({"chown": "a b", "from": "other"}, "/a /b")


def test_quotes_and_escapes_in_flags_are_removed_as_the_builder_does():
    dockerfile = parse("FROM scratch\nCOPY --\"from\"=st'age' --chown=a\\ b x y\n")
    copy = dockerfile.instructions[1]
    assert (copy.flags, copy.value) == ({"from": "stage", "chown": "a b"}, "x y")


def test_flag_names_keep_their_case():
    # The builder's flags are case-sensitive: --FROM is not --from (and the builder refuses it).
    dockerfile = parse("FROM scratch\nCOPY --FROM=other /a /b\n")
    assert dockerfile.instructions[1].flags == {"FROM": "other"}


def test_a_double_dash_ends_the_flags():
    dockerfile = parse("FROM scratch\nCOPY --chown=1 -- --from=x /b\n")
    copy = dockerfile.instructions[1]
    assert (copy.flags, copy.value) == ({"chown": "1"}, "--from=x /b")


def test_a_flag_given_twice_is_an_error():
    error = syntax_error("FROM scratch\nCOPY --from=a --from=b x y\n")
    assert (error.line, error.reason) == (2, "the flag --from is given twice")


def test_a_malformed_flag_is_an_error():
    error = syntax_error("FROM scratch\nCOPY --=x a b\n")
    assert (error.line, error.reason) == (2, "malformed flag: --=x")


def test_an_instruction_prints_with_its_flags():
    dockerfile = parse("FROM scratch\nCOPY --from=builder --link a b\n")
    assert str(dockerfile.instructions[1]) == "COPY --from=builder --link a b"


# -- exec form and shell form


def test_a_json_array_is_exec_form():
    dockerfile = parse('FROM scratch\nCMD ["python", "app.py", "--port", "8000"]\n')
    assert dockerfile.instructions[1].exec_form == ["python", "app.py", "--port", "8000"]


def test_plain_words_are_shell_form():
    dockerfile = parse("FROM scratch\nCMD python app.py\n")
    cmd = dockerfile.instructions[1]
    assert (cmd.exec_form, cmd.value) == (None, "python app.py")


def test_invalid_json_falls_back_to_shell_form():
    dockerfile = parse('FROM scratch\nCMD ["python", app.py]\n')
    cmd = dockerfile.instructions[1]
    assert (cmd.exec_form, cmd.value) == (None, '["python", app.py]')


def test_single_quotes_are_not_json_and_fall_back_to_shell_form():
    dockerfile = parse("FROM scratch\nCMD ['python', 'app.py']\n")
    assert dockerfile.instructions[1].exec_form is None


def test_an_empty_json_array_is_exec_form():
    dockerfile = parse("FROM scratch\nCMD []\n")
    assert dockerfile.instructions[1].exec_form == []


def test_exec_form_follows_flags():
    dockerfile = parse('FROM scratch\nCOPY --chown=1000 ["my file", "/dst/"]\n')
    copy = dockerfile.instructions[1]
    assert (copy.flags, copy.exec_form) == ({"chown": "1000"}, ["my file", "/dst/"])


def test_exec_form_may_span_continuation_lines():
    dockerfile = parse('FROM scratch\nENTRYPOINT ["/app", \\\n"--verbose"]\n')
    entrypoint = dockerfile.instructions[1]
    assert (entrypoint.exec_form, entrypoint.line, entrypoint.end_line) == (["/app", "--verbose"], 2, 3)


def test_text_after_a_json_array_is_ignored_as_the_builder_ignores_it():
    dockerfile = parse('FROM scratch\nCOPY ["a", "b"] c\n')
    assert dockerfile.instructions[1].exec_form == ["a", "b"]


def test_nan_is_not_json():
    dockerfile = parse("FROM scratch\nCMD [NaN]\n")
    assert dockerfile.instructions[1].exec_form is None


@pytest.mark.parametrize("keyword", ["WORKDIR", "USER", "LABEL", "EXPOSE"])
def test_instructions_without_an_exec_form_read_brackets_as_text(keyword):
    dockerfile = parse(f'FROM scratch\n{keyword} ["a", 1]\n')
    assert dockerfile.instructions[1].exec_form is None


def test_words_are_split_at_whitespace_with_quotes_kept():
    dockerfile = parse('FROM scratch\nADD "a b" \tc\nCOPY ["d e", "f"]\n')
    assert [i.words for i in dockerfile.instructions[1:]] == [['"a', 'b"', "c"], ["d e", "f"]]


def test_a_json_array_of_non_strings_is_an_error():
    # The builder rejects valid JSON that is not an array of strings ("arrays must be comprised of strings only")
    # instead of running it as a shell command.
    error = syntax_error('FROM scratch\nCMD ["echo", 1]\n')
    assert error.line == 2


def test_an_instruction_can_be_built_directly():
    instruction = Instruction("CMD", {}, '["a"]', 3, 3)
    assert (instruction.exec_form, str(instruction)) == (["a"], 'CMD ["a"]')


# -- stages


def test_a_single_from_is_one_unnamed_stage():
    dockerfile = parse("FROM layerlab/busybox\nRUN echo hi\n")
    (stage,) = dockerfile.stages
    assert (stage.index, stage.base, stage.name, stage.line, stage.flags) == (0, "layerlab/busybox", None, 1, {})
    assert [i.keyword for i in stage.instructions] == ["RUN"]


def test_as_is_case_insensitive_and_stage_names_are_lower_cased():
    dockerfile = parse("FROM layerlab/golang as Builder\nFROM layerlab/busybox AS Runtime\nFROM scratch aS final\n")
    assert [(s.index, s.base, s.name) for s in dockerfile.stages] == [
        (0, "layerlab/golang", "builder"),
        (1, "layerlab/busybox", "runtime"),
        (2, "scratch", "final"),
    ]


def test_stages_have_indexes_lines_and_their_own_instructions():
    dockerfile = parse("FROM a AS one\nRUN x\nRUN y\n\nFROM b\nCMD z\n")
    assert [(s.index, s.line, [i.line for i in s.instructions]) for s in dockerfile.stages] == [
        (0, 1, [2, 3]),
        (1, 5, [6]),
    ]


def test_a_stage_keeps_the_flags_of_its_from():
    dockerfile = parse("FROM --platform=linux/arm64 layerlab/golang AS build\n")
    (stage,) = dockerfile.stages
    assert (stage.flags, stage.base, stage.name) == ({"platform": "linux/arm64"}, "layerlab/golang", "build")


def test_from_with_extra_words_is_an_error():
    error = syntax_error("FROM scratch\nRUN x\nFROM layerlab/golang builder\n")
    assert (error.line, error.reason) == (3, "FROM takes an image and optionally AS <name>")


def test_from_with_as_but_no_name_is_an_error():
    error = syntax_error("FROM layerlab/golang AS\n")
    assert (error.line, error.reason) == (1, "FROM takes an image and optionally AS <name>")


def test_it_parses_the_multi_stage_go_example():
    dockerfile = parse(GO_MULTI_STAGE)
    assert [(i.keyword, i.flags, i.value, i.line, i.end_line) for i in dockerfile.instructions] == [
        ("FROM", {}, "layerlab/golang AS builder", 1, 1),
        ("WORKDIR", {}, "/src", 2, 2),
        ("COPY", {}, ". .", 3, 3),
        ("RUN", {}, "go build -o /out/app .", 4, 4),
        ("FROM", {}, "scratch", 5, 5),
        ("COPY", {"from": "builder"}, "/out/app /app", 6, 6),
        ("ENTRYPOINT", {}, '["/app"]', 7, 7),
    ]


def test_the_go_example_has_a_builder_stage_and_a_final_stage():
    dockerfile = parse(GO_MULTI_STAGE)
    builder, final = dockerfile.stages
    assert (builder.index, builder.base, builder.name, builder.line) == (0, "layerlab/golang", "builder", 1)
    assert [i.keyword for i in builder.instructions] == ["WORKDIR", "COPY", "RUN"]
    assert (final.index, final.base, final.name, final.line) == (1, "scratch", None, 5)
    assert [i.keyword for i in final.instructions] == ["COPY", "ENTRYPOINT"]


def test_the_go_example_entrypoint_is_exec_form_and_its_other_instructions_are_not():
    dockerfile = parse(GO_MULTI_STAGE)
    assert [i.exec_form for i in dockerfile.instructions] == [None, None, None, None, None, None, ["/app"]]


def test_the_go_example_has_no_directives():
    assert parse(GO_MULTI_STAGE).directives == {}


# -- build steps


def test_each_instruction_is_one_build_step():
    dockerfile = parse(GO_MULTI_STAGE)
    assert [(step, dockerfile.instruction_at_step(step).line) for step in range(1, 8)] == [
        (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7),
    ]


def test_build_steps_skip_comments_blank_lines_and_continuations():
    dockerfile = parse("# escape=\\\n\nARG V=1\nFROM scratch\n# comment\nRUN a \\\n  && b\n\nCMD c\n")
    assert [dockerfile.instruction_at_step(step).line for step in (1, 2, 3, 4)] == [3, 4, 6, 9]


def test_the_instruction_at_a_step_is_the_instruction_itself():
    dockerfile = parse(GO_MULTI_STAGE)
    assert dockerfile.instruction_at_step(6) is dockerfile.instructions[5]


@pytest.mark.parametrize("step", [0, -1, 8, 100])
def test_a_step_out_of_range_has_no_instruction(step):
    assert parse(GO_MULTI_STAGE).instruction_at_step(step) is None


# -- parser directives


def test_it_reads_directives_at_the_top():
    dockerfile = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM scratch\n")
    assert dockerfile.directives == {"syntax": "docker/dockerfile:1", "escape": "`"}
    assert [(i.keyword, i.line) for i in dockerfile.instructions] == [("FROM", 3)]


def test_directive_names_are_case_insensitive_and_spacing_is_free():
    dockerfile = parse("#  SYNTAX = docker/dockerfile:1  \n#Escape=`\nFROM scratch\n")
    assert dockerfile.directives == {"syntax": "docker/dockerfile:1", "escape": "`"}


def test_the_backtick_escape_continues_lines():
    dockerfile = parse("# escape=`\nFROM scratch\nRUN echo a `\nb\n")
    run = dockerfile.instructions[1]
    assert (run.value, run.line, run.end_line) == ("echo a b", 3, 4)


def test_with_the_backtick_escape_a_backslash_is_literal():
    dockerfile = parse("# escape=`\nFROM scratch\nCOPY testfile.txt c:\\\nRUN dir c:\\\n")
    assert [(i.keyword, i.value, i.line, i.end_line) for i in dockerfile.instructions] == [
        ("FROM", "scratch", 2, 2),
        ("COPY", "testfile.txt c:\\", 3, 3),
        ("RUN", "dir c:\\", 4, 4),
    ]


def test_with_the_backtick_escape_windows_paths_keep_their_backslashes():
    dockerfile = parse("# escape=`\nFROM scratch\nCOPY src\\app\\ C:\\app\\\nWORKDIR C:\\app\n")
    copy, workdir = dockerfile.instructions[1:]
    assert (copy.value, copy.line, workdir.value, workdir.line) == ("src\\app\\ C:\\app\\", 3, "C:\\app", 4)


def test_without_the_escape_directive_a_trailing_backslash_continues_the_line():
    dockerfile = parse("FROM scratch\nCOPY testfile.txt c:\\\nRUN dir c:\\\nCMD x\n")
    copy = dockerfile.instructions[1]
    assert (len(dockerfile.instructions), copy.value, copy.line, copy.end_line) == (
        2, "testfile.txt c:RUN dir c:CMD x", 2, 4
    )


def test_a_directive_after_a_comment_is_a_plain_comment():
    dockerfile = parse("# hello\n# syntax=docker/dockerfile:1\nFROM scratch\n")
    assert dockerfile.directives == {}
    assert [(i.keyword, i.line) for i in dockerfile.instructions] == [("FROM", 3)]


def test_a_directive_after_a_blank_line_is_a_plain_comment():
    dockerfile = parse("\n# escape=`\nFROM scratch\nRUN echo a \\\nb\n")
    assert dockerfile.directives == {}
    assert dockerfile.instructions[1].value == "echo a b"


def test_a_directive_after_an_instruction_is_a_plain_comment():
    dockerfile = parse("FROM scratch\n# syntax=docker/dockerfile:1\nRUN echo hi\n")
    assert dockerfile.directives == {}
    assert [(i.keyword, i.line) for i in dockerfile.instructions] == [("FROM", 1), ("RUN", 3)]


def test_an_unknown_directive_ends_directive_parsing():
    dockerfile = parse("# foo=bar\n# escape=`\nFROM scratch\nRUN echo a \\\nb\n")
    assert dockerfile.directives == {}
    run = dockerfile.instructions[1]
    assert (run.value, run.line, run.end_line) == ("echo a b", 4, 5)


def test_an_unknown_directive_after_a_known_one_keeps_the_known_one():
    dockerfile = parse("# escape=`\n# foo=bar\n# syntax=docker/dockerfile:1\nFROM scratch\n")
    assert dockerfile.directives == {"escape": "`"}


def test_an_invalid_escape_directive_is_an_error():
    error = syntax_error("# escape=x\nFROM scratch\n")
    assert error.line == 1
    assert error.reason == "the escape directive must be \\ or `, not 'x'"


def test_an_invalid_escape_directive_is_reported_at_its_own_line():
    error = syntax_error("# syntax=docker/dockerfile:1\n# escape=x\nFROM scratch\n")
    assert error.line == 2


def test_a_repeated_directive_is_an_error():
    # The builder: "only one escape parser directive can be used".
    error = syntax_error("# escape=`\n# escape=\\\nFROM scratch\n")
    assert error.line == 2
