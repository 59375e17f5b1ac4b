"""The sandbox websocket (docs/protocol.md). It checks who is asking and what they send, and translates frames
into calls of attempts.jobs; the work itself happens in the workers."""
from __future__ import annotations

import asyncio
import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext_lazy as _

from attempts import jobs, news
from attempts.models import Attempt
from engine.messages import both
from grading.lint import lint_submission

MAX_FRAME = 256 * 1024
MAX_ID = 2**63 - 1  # the database's integers (ids, seq numbers) are signed 64-bit
UNAUTHENTICATED = 4401  # closed before it is accepted: the handshake is answered HTTP 403 (docs/protocol.md)


class SandboxConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        if not self.user or not self.user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        news.bind_server_loop(asyncio.get_running_loop())
        self.last_seq: dict[int, int] = {}  # attempt -> last seq sent on this socket
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for attempt in getattr(self, "last_seq", {}):
            await self.channel_layer.group_discard(Attempt.group_of(attempt), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            frame = _parsed(text_data if text_data is not None else bytes_data or b"")
            kind = frame.get("type")
            handler = self.HANDLERS.get(kind) if isinstance(kind, str) else None
            if handler is None:
                raise jobs.Refused("unknown_type", both(_("Unknown message type.")))
            await handler(self, frame)
        except jobs.Refused as refused:
            await self.send_json(refused.frame())

    async def on_lint(self, frame: dict) -> None:
        exercise = await database_sync_to_async(jobs.visible_exercise)(_text(frame, "exercise"))
        files = jobs.check_files(frame.get("files"))
        jobs.check_executable(frame.get("executable"), files)  # refused as a submit would be; lint needs no modes
        findings = await asyncio.to_thread(
            lint_submission, {path: text.encode() for path, text in files.items()},
            allowed_bases=exercise.definition["bases"],
        )
        await self.send_json({"type": "lint", "findings": [finding.__dict__ for finding in findings]})

    async def on_try(self, frame: dict) -> None:
        await self._queue(frame, Attempt.Kind.TRY)

    async def on_submit(self, frame: dict) -> None:
        await self._queue(frame, Attempt.Kind.SUBMIT)

    async def _queue(self, frame: dict, kind: str) -> None:
        exercise = await database_sync_to_async(jobs.visible_exercise)(_text(frame, "exercise"))
        attempt = await database_sync_to_async(jobs.submit)(self.user, exercise, kind, frame.get("files"),
                                                            executable=frame.get("executable"))
        await self._accepted(attempt)

    async def on_publish(self, frame: dict) -> None:
        attempt = await database_sync_to_async(jobs.publish)(self.user, _whole_number(frame, "attempt"),
                                                             frame.get("repository"), frame.get("tags"))
        await self._accepted(attempt)

    async def _accepted(self, attempt: Attempt) -> None:
        """Tell the page its attempt is queued, then stream the attempt's events from the first."""
        await self.send_json({"type": "accepted", "attempt": attempt.id, "number": attempt.number,
                              "kind": attempt.kind, "exercise": attempt.exercise.slug})
        await self._subscribe(attempt, after=0)

    async def on_cancel(self, frame: dict) -> None:
        await database_sync_to_async(jobs.cancel)(self.user, _whole_number(frame, "attempt"))

    async def on_subscribe(self, frame: dict) -> None:
        after = _whole_number(frame, "after", default=0, minimum=0)
        attempt = await database_sync_to_async(jobs.owned_attempt)(self.user, _whole_number(frame, "attempt"))
        await self._subscribe(attempt, after)

    async def _subscribe(self, attempt: Attempt, after: int) -> None:
        # Join first, replay second: an event stored meanwhile arrives twice and is dropped by its seq. A socket
        # that follows the attempt already gets nothing twice: it replays only what it has not sent yet.
        self.last_seq[attempt.id] = max(after, self.last_seq.get(attempt.id, 0))
        await self.channel_layer.group_add(attempt.group, self.channel_name)
        for event in await database_sync_to_async(jobs.events_after)(attempt, after):
            await self._forward(event)

    async def attempt_event(self, message: dict) -> None:
        await self._forward(message["event"])

    async def _forward(self, event: dict) -> None:
        attempt = event["attempt"]
        if event["seq"] <= self.last_seq.get(attempt, 0):
            return
        self.last_seq[attempt] = event["seq"]
        await self.send_json(event)

    HANDLERS = {
        "lint": on_lint,
        "try": on_try,
        "submit": on_submit,
        "publish": on_publish,
        "cancel": on_cancel,
        "subscribe": on_subscribe,
    }


def _parsed(data: str | bytes) -> dict:
    """The frame as a JSON object, or Refused saying why it is not one."""
    try:
        frame = json.loads(_utf8_text(data))
    except RecursionError:
        raise jobs.Refused("bad_json", both(_("That JSON is nested too deeply."))) from None
    except json.JSONDecodeError:
        raise jobs.Refused("bad_json", both(_("That was not JSON."))) from None
    except ValueError:  # Python converts integers of at most sys.get_int_max_str_digits() digits
        raise jobs.Refused("bad_json", both(_("A number in it has too many digits."))) from None
    if not isinstance(frame, dict):
        raise jobs.Refused("bad_request", both(_("A frame must be one JSON object with a type.")))
    return frame


def _utf8_text(data: str | bytes) -> str:
    """A frame's text, within the size limit and valid UTF-8, whether it came as a text or a binary frame."""
    # A text frame holds lone surrogates only when the server was handed something other than UTF-8: encoding it
    # back lets one strict decode refuse that and a binary frame that is not UTF-8 alike.
    raw = data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data
    if len(raw) > MAX_FRAME:
        raise jobs.Refused("too_large", both(_("Frames are limited to {limit_kb} KB."), limit_kb=MAX_FRAME // 1024))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise jobs.Refused("bad_json", both(_("Frames must be UTF-8 text."))) from None


def _text(frame: dict, field: str) -> str:
    value = frame.get(field)
    if not isinstance(value, str) or not jobs.is_text(value):
        raise jobs.Refused("bad_request", both(_("{field} must be text (valid UTF-8, no NUL characters)."),
                                                field=field))
    return value


def _whole_number(frame: dict, field: str, default: int | None = None, minimum: int = 1) -> int:
    value = frame.get(field, default)
    # JSON's true and false are not numbers, but Python's bool is an int.
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_ID:
        raise jobs.Refused("bad_request", both(_("{field} must be a whole number, at least {minimum}."),
                                                field=field, minimum=minimum))
    return value
