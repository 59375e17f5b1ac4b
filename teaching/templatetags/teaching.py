from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from course.models import in_language

register = template.Library()


@register.filter
def localized(text):
    """A message kept in both languages ({"en": ..., "zh-hans": ...}) in the active one; other text as it is."""
    return in_language(text) if isinstance(text, dict) else text


@register.simple_tag
def matrix_cells(learner, cells) -> SafeString:
    """A learner's row of cells in the class matrix: one tag for the row, since a class of 500 learners has 10,000
    cells and a template loop costs more than the cells themselves."""
    return mark_safe("".join(matrix_cell(learner, exercise, cell) for exercise, cell in cells))  # noqa: S308


def matrix_cell(learner, exercise, cell) -> str:
    """One cell of the class matrix, as teaching-live.js draws it again when news arrives. Built as a string rather
    than by an included template or format_html. Every value in it is a number, a fixed word or a date, and the
    translated words are escaped."""
    if cell.status == "passed":
        when = timezone.localtime(cell.passed_at).strftime("%m-%d %H:%M")
        content = (f'<span class="score">✓ {int(cell.best_score)}/{int(cell.max_score)}</span> '
                   f'<time datetime="{cell.passed_at.isoformat()}">{when}</time>')
    elif cell.status == "attempted":
        content = escape(ngettext("%(counter)s attempt", "%(counter)s attempts", cell.attempts)
                         % {"counter": cell.attempts})
    else:
        content = '<span class="muted">—</span>'
    late = f' <span class="late">{escape(gettext("late"))}</span>' if cell.late_attempts else ""
    return (f'<td class="cell {cell.status}" data-learner="{int(learner.id)}" '
            f'data-exercise="{int(exercise.id)}"{_cell_state(cell)}>{content}{late}</td>')


def _cell_state(cell) -> str:
    """The cell's numbers and due date, from which teaching-live.js redraws it as the class's news arrives."""
    state = {"attempts": cell.attempts, "late-attempts": cell.late_attempts, "best-score": cell.best_score,
             "max-score": cell.max_score, "passed-at": cell.passed_at and cell.passed_at.isoformat(),
             "due-at": cell.due_at and cell.due_at.isoformat()}
    return "".join(f' data-{name}="{value}"' for name, value in state.items() if value is not None)
