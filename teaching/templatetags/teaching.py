from django import template

from course.models import in_language

register = template.Library()


@register.filter
def localized(text):
    """A message kept in both languages ({"en": ..., "zh-hans": ...}) in the active one; other text as it is."""
    return in_language(text) if isinstance(text, dict) else text
