"""What a learner sees of an attempt while nothing else happens: the phase it is in (`phase` events) and, at least
every HEARTBEAT_SECONDS while it runs, a `heartbeat` with the seconds the phase and the current build step have
run, against the phase's limit. A silent build step or an endless loop still shows its clock ticking towards the
limit it will be stopped at; a page that reloads takes the clock up again from the last heartbeat it replays.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from engine.facts import Phase

HEARTBEAT_SECONDS = 5.0


class AttemptClock:
    """Follows the events of one attempt as its worker stores them, and says when a heartbeat is due."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.phase: Phase | None = None
        self.phase_started = 0.0
        self.step: int | None = None
        self.step_started = 0.0
        self.last_told = 0.0

    def entered(self, phase: Phase) -> dict[str, Any] | None:
        """The `phase` event for a phase that begins now; None when the attempt is in that phase already."""
        if phase == self.phase:
            return None
        self.phase, self.phase_started = phase, self.clock()
        self.step = None
        self.last_told = self.phase_started
        return {"type": "phase", "phase": phase.name, "limit": phase.limit}

    def saw(self, event: dict[str, Any]) -> None:
        """Keep track of the build step under way."""
        if event["type"] == "build_step":
            self.step, self.step_started = event["step"], self.clock()
        elif event["type"] == "step_finished" and event["step"] == self.step:
            self.step = None

    def ended(self) -> None:
        """The attempt has its result: no heartbeat after it."""
        self.phase = None

    def heartbeat(self) -> dict[str, Any] | None:
        """The `heartbeat` event, when HEARTBEAT_SECONDS have passed since the phase began or the last one."""
        now = self.clock()
        if self.phase is None or now - self.last_told < HEARTBEAT_SECONDS:
            return None
        self.last_told = now
        return {"type": "heartbeat", "phase": self.phase.name, "limit": self.phase.limit,
                "elapsed": round(now - self.phase_started, 1), "step": self.step,
                "step_elapsed": None if self.step is None else round(now - self.step_started, 1)}
