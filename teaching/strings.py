"""The texts the dashboard's script shows, translated by gettext in the instructor's language (`{name}` marks a
value the script fills in). Sent to the page with `json_script`."""
from django.utils.translation import gettext as _


def dashboard_strings() -> dict[str, str]:
    return {
        "attempts": _("{n} attempts"),
        "attemptOne": _("1 attempt"),
        "connected": _("Live"),
        "disconnected": _("Not live: reconnecting…"),
        "event_queued": _("{learner} queued attempt #{attempt} ({kind}) on {exercise}"),
        "event_started": _("{learner}: attempt #{attempt} on {exercise} started"),
        "event_result": _("{learner}: attempt #{attempt} on {exercise} ended: {result}"),
        "failed": _("failed"),
        "late": _("late"),
        "notStarted": _("not started"),
        "passed": _("passed"),
        "passRate": _("Pass rate (%)"),
        "learners": _("Learners"),
        "failures": _("Failures"),
        "attemptsToPass": _("Attempts to pass"),
    }
