"""Lint before build: parse errors and broken rules first, then hadolint's advice."""
from grading.lint import lint_dockerfile, lint_submission

BASES = ["layerlab/python"]


def test_a_parse_error_is_reported_with_its_line():
    [finding] = lint_submission({"Dockerfile": b"FROM layerlab/python\nRUNN echo\n"}, allowed_bases=BASES)
    assert (finding.line, finding.code, finding.level) == (2, "syntax-error", "error")
    assert finding.message == {"en": "Line 2: unknown instruction: RUNN.",
                               "zh-hans": "第 2 行：unknown instruction: RUNN。"}


def test_a_broken_sandbox_rule_is_reported_before_any_style_advice():
    [finding] = lint_submission({"Dockerfile": b"FROM ubuntu\n"}, allowed_bases=BASES)
    assert finding.code == "from-not-allowed"


def test_hadolint_advice_names_rule_and_line():
    findings = lint_dockerfile("FROM layerlab/python\nWORKDIR /app\nCMD python3 app.py\n")
    assert [(f.code, f.line) for f in findings] == [("DL3025", 3)]


def test_untagged_course_images_are_not_nagged_about():
    assert lint_dockerfile('FROM layerlab/python\nCMD ["python3"]\n') == []
