"""Learner-facing texts in both course languages, each from one gettext message id.

English is the source: a message id is the English text, and locale/zh_Hans/LC_MESSAGES/django.po holds its
Chinese. Modules mark their texts with `gettext_lazy` (or `pgettext_lazy` where the same English needs a context) so
that makemessages finds them. Placeholders are `{name}` fields, filled after translation, so a translation may put
them in any order; a parameter that is itself a lazy text is rendered in the same language as the message.
"""
from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, override

LANGUAGES = ("en", "zh-hans")

Text = dict[str, str]  # one text in every course language: {"en": ..., "zh-hans": ...}


def content_language(language: str) -> str:
    """The language the course's texts are kept in for a language code: "zh-hans" for any Chinese, else "en"."""
    return "zh-hans" if language.lower().startswith("zh") else "en"


def render(message: Any, language: str, /, **params: Any) -> str:
    """`message` (a message id or a lazy text) translated into `language`, its placeholders filled from `params`."""
    with override(content_language(language)):
        text = str(message) if isinstance(message, Promise) else gettext(message)
        return text.format(**params)


def both(message: Any, /, **params: Any) -> Text:
    """`message` rendered in every course language: the {"en", "zh-hans"} form frames and stored events carry."""
    return {language: render(message, language, **params) for language in LANGUAGES}
