"""A file's executable bit, as Docker keeps it, and Docker's own failure when a file without it is run.

Docker never guesses a mode: COPY gives a file the mode it has in the build context, and a script without the
executable bit fails with "permission denied" when it is run directly. That failure comes in the words of whoever
tried to run it; `not_executable_advice` recognises each and explains it plainly.
"""
from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from engine.messages import Text, both

NOT_EXECUTABLE = re.compile(
    r'exec: "(?P<runtime>[^"]+)": permission denied'  # runc: the container's command itself
    r"|exec (?P<init>\S+) failed: Permission denied"  # docker-init (tini), PID 1 of a run with an init process
    # busybox sh and dash, in RUN or CMD; a path has no space, unlike "can't create /x", a redirection refused
    r"|^(?:/bin/)?sh: (?:\d+: )?(?P<shell>[^:\s]+): Permission denied",
    re.MULTILINE,
)
NOT_EXECUTABLE_ADVICE = _(
    "{path} could not be run: permission denied. Docker runs a file only if its executable bit is set, and COPY "
    "keeps the mode the file has in the build context. Mark the file executable (the \"executable\" switch beside "
    "its name in the editor, as chmod +x does on your own machine), add RUN chmod +x {path} after the COPY, or run "
    "it through its interpreter (sh {path})."
)


def not_executable_advice(output: str) -> Text | None:
    """The plain explanation of Docker's "permission denied" for a file run without its executable bit, when
    `output` (a build's log, a container's output, the runtime's refusal) holds one; else None."""
    match = NOT_EXECUTABLE.search(output)
    if match is None:
        return None
    path = next(group for group in match.groups() if group)
    return both(NOT_EXECUTABLE_ADVICE, path=path)
