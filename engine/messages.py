"""Learner-facing texts in both course languages, each from one gettext message id.

English is the source: a message id is the English text, and locale/zh_Hans/LC_MESSAGES/django.po holds its
Chinese. Modules mark their texts with `gettext_lazy` (or `pgettext_lazy` where the same English needs a context) so
that makemessages finds them. Placeholders are `{name}` fields, filled after translation, so a translation may put
them in any order. A parameter that depends on the language (a lazy text, a `Phrase`, a `Picked` text) is rendered
in the language of the message it fills.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext, override

LANGUAGES = ("en", "zh-hans")

Text = dict[str, str]  # one text in every course language: {"en": ..., "zh-hans": ...}


def content_language(language: str) -> str:
    """The language the course's texts are kept in for a language code: "zh-hans" for any Chinese, else "en"."""
    return "zh-hans" if language.lower().startswith("zh") else "en"


def render(message: Any, language: str, /, **params: Any) -> str:
    """`message` (a message id or a lazy text) translated into `language`, its placeholders filled from `params`."""
    with override(content_language(language)):
        return _filled(message, params)


def both(message: Any, /, **params: Any) -> Text:
    """`message` rendered in every course language: the {"en", "zh-hans"} form frames and stored events carry."""
    return {language: render(message, language, **params) for language in LANGUAGES}


@dataclass(frozen=True)
class Phrase:
    """Part of a sentence with parameters of its own, to fill a placeholder of a message."""

    message: Any
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return _filled(self.message, self.params)


def phrase(message: Any, /, **params: Any) -> Phrase:
    return Phrase(message, params)


@dataclass(frozen=True)
class Picked:
    """A text already rendered in every language (an outcome's message, say), to fill a placeholder of a message."""

    text: Text

    def __str__(self) -> str:
        return self.text[content_language(get_language() or LANGUAGES[0])]


def _filled(message: Any, params: dict[str, Any]) -> str:
    """`message` in the active language with `params` put in; format() renders language-dependent parameters."""
    translated = str(message) if isinstance(message, Promise) else gettext(message)
    return translated.format(**params)
