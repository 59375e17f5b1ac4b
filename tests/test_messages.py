"""One message catalogue: learner-facing texts are gettext message ids in English, translated in django.po."""
import ast
import re
from pathlib import Path

import pytest
from django.utils.translation import gettext, gettext_lazy, override, pgettext

from engine import fence
from engine.messages import Picked, both, phrase, render

ROOT = Path(__file__).resolve().parent.parent
APPS = ("engine", "grading", "attempts", "registry", "course", "teaching", "insight", "layerlab")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The names modules mark message ids with, and the position of the id (after the context, for pgettext).
MARKERS = {"_": 0, "gettext": 0, "gettext_lazy": 0, "gettext_noop": 0, "pgettext": 1, "pgettext_lazy": 1}


def app_modules() -> list[Path]:
    return sorted(path for app in APPS for path in (ROOT / app).rglob("*.py"))


def marked_messages(path: Path) -> set[tuple[str | None, str]]:
    """(context, message id) of every literal message id marked for translation in a module."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in MARKERS or len(node.args) <= MARKERS[name]:
            continue
        arguments = node.args[: MARKERS[name] + 1]
        if all(isinstance(argument, ast.Constant) and isinstance(argument.value, str) for argument in arguments):
            context = arguments[0].value if MARKERS[name] else None
            found.add((context, arguments[-1].value))
    return found


def test_no_python_module_of_an_app_holds_a_chinese_literal():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in app_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CHINESE.search(line)
    ]
    assert offenders == []


def test_the_scan_finds_the_marked_messages_of_the_apps():
    messages = {message for path in app_modules() for _, message in marked_messages(path)}
    assert {"There is no such attempt.", "The image builds.", "That repository name is too long."} <= messages


def test_every_marked_message_has_a_chinese_translation_in_the_compiled_catalogue():
    messages = {entry for path in app_modules() for entry in marked_messages(path)} | {(None, fence.REFUSAL_MESSAGE)}
    with override("zh-hans"):
        untranslated = sorted(
            message for context, message in messages
            if (pgettext(context, message) if context else gettext(message)) == message
        )
    assert untranslated == []


def test_both_renders_one_message_id_in_each_language_with_its_parameters():
    assert both(gettext_lazy("At most {limit} files are allowed."), limit=200) == {
        "en": "At most 200 files are allowed.",
        "zh-hans": "最多允许 200 个文件。",
    }


@pytest.mark.parametrize("language", ["zh", "zh-Hans", "zh-hant"])
def test_any_chinese_renders_the_simplified_text(language):
    assert render("There is no such attempt.", language) == "没有这次尝试。"


def test_a_phrase_and_a_picked_text_follow_the_language_of_their_message():
    message = gettext_lazy("{field} is {found}; expected {expected}.")
    expected = phrase(gettext_lazy("to contain {value}"), value='"a"')
    assert both(message, field="Env", found="[]", expected=expected) == {
        "en": 'Env is []; expected to contain "a".',
        "zh-hans": 'Env 为 []；期望 包含 "a"。',
    }
    reason = Picked({"en": "no.", "zh-hans": "不。"})
    assert both(gettext_lazy("`{command}`: {reason}"), command="docker run", reason=reason) == {
        "en": "`docker run`: no.",
        "zh-hans": "`docker run`：不。",
    }


def test_the_fences_refusal_reads_the_catalogue_without_django():
    head, body = fence.refusal().split(b"\r\n\r\n", 1)
    assert body.decode() == "The sandbox may not reach this address. / 沙箱不能访问这个地址。\n"
    assert f"Content-Length: {len(body)}".encode() in head.split(b"\r\n")
