"""The sandbox websocket, end to end on the real engine: auth, origin, bad input, submit, cancel, replay."""
import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from attempts.models import Attempt
from engine.engine import Engine
from layerlab.routing import websocket_application
from tests.sandbox.examples import ECHO_AT_RUN_TIME
from tests.sockets import ORIGIN, connect, frames_until, in_a_thread, running_workers, session_cookie, start_workers

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.engine]

# An exercise graded from a build (push-private-registry, used for tries, is graded from the registry).
GRADED = "run-vs-cmd"
SOLUTION = ECHO_AT_RUN_TIME
SLOW = {"Dockerfile": "FROM layerlab/busybox\nRUN echo started && sleep 30\n"}


@pytest.fixture
def workers(real_engine, course):
    with running_workers(real_engine, size=2) as pool:
        yield pool


async def test_anonymous_sockets_are_refused():
    communicator = WebsocketCommunicator(websocket_application(), "/ws/sandbox/", headers=[ORIGIN])
    connected, code = await communicator.connect()
    assert (connected, code) == (False, 4401)


async def test_a_foreign_origin_is_refused(course):
    cookie = await sync_to_async(session_cookie)("ada")
    communicator = WebsocketCommunicator(websocket_application(), "/ws/sandbox/",
                                         headers=[(b"origin", b"http://evil.example"), (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert not connected


@pytest.mark.parametrize(("frame", "code"), [
    ("not json", "bad_json"),
    (json.dumps({"type": "dance"}), "unknown_type"),
    (json.dumps([1, 2]), "bad_request"),
    (json.dumps({"type": "submit", "exercise": "nope", "files": SOLUTION}), "not_found"),
    (json.dumps({"type": "submit", "exercise": "push-private-registry", "files": {"app.py": "x"}}), "bad_request"),
    (json.dumps({"type": "submit", "exercise": "push-private-registry", "files": "FROM x"}), "bad_request"),
    (json.dumps({"type": "subscribe", "attempt": "1"}), "bad_request"),
    (json.dumps({"type": "cancel", "attempt": 999999}), "not_found"),
    ("x" * (300 * 1024), "too_large"),
])
async def test_bad_frames_get_an_error_and_the_socket_stays_open(course, frame, code):
    communicator = await connect()
    await communicator.send_to(text_data=frame)
    error = await communicator.receive_json_from(timeout=10)
    assert error["type"] == "error" and error["code"] == code
    assert set(error["message"]) == {"en", "zh-hans"}
    await communicator.send_json_to({"type": "lint", "exercise": "push-private-registry", "files": SOLUTION})
    assert (await communicator.receive_json_from(timeout=10))["type"] == "lint"
    await communicator.disconnect()


async def test_lint_answers_at_once_and_queues_nothing(course):
    communicator = await connect()
    files = {"Dockerfile": "FROM layerlab/busybox\nCMD echo hello\n"}
    await communicator.send_json_to({"type": "lint", "exercise": "push-private-registry", "files": files})
    frame = await communicator.receive_json_from(timeout=10)
    assert [(f["code"], f["line"]) for f in frame["findings"]] == [("DL3025", 2)]
    assert await sync_to_async(Attempt.objects.count)() == 0
    await communicator.disconnect()


async def test_a_submit_streams_ordered_events_and_is_stored(workers):
    communicator = await connect()
    await communicator.send_json_to({"type": "submit", "exercise": GRADED, "files": SOLUTION})
    frames = await frames_until(communicator, "result")
    accepted, *events = frames
    assert accepted["type"] == "accepted" and accepted["kind"] == "submit"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    kinds = [e["type"] for e in events]
    assert kinds[:4] == ["queued", "started", "phase", "build_step"]
    assert kinds.count("check") == 4 and kinds[-1] == "result"
    assert {"type": "log", "stream": "stdout", "text": "Hello at run time"}.items() <= next(
        e for e in events if e["type"] == "log" and e["stream"] == "stdout").items()
    assert events[-1]["status"] == "finished" and events[-1]["passed"] is True
    attempt = await sync_to_async(Attempt.objects.get)(id=accepted["attempt"])
    assert (attempt.status, attempt.passed, attempt.score) == ("finished", True, 7)
    assert await sync_to_async(attempt.events.count)() == len(events)
    await communicator.disconnect()


async def test_a_try_builds_and_runs_without_grading(workers):
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": "push-private-registry", "files": SOLUTION})
    frames = await frames_until(communicator, "result")
    assert "check" not in [f["type"] for f in frames]
    assert any(f["type"] == "log" and f.get("text") == "Hello at run time" for f in frames)
    assert frames[-1]["status"] == "finished" and frames[-1]["passed"] is None
    await communicator.disconnect()


async def test_cancel_stops_the_build_and_cleans_up(workers, real_engine):
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": "push-private-registry", "files": SLOW})
    frames = await frames_until(communicator, "log")
    attempt = frames[0]["attempt"]
    await communicator.send_json_to({"type": "cancel", "attempt": attempt})
    result = (await frames_until(communicator, "result", timeout=20))[-1]
    assert result["status"] == "cancelled"
    assert "stopped at your request" in result["outcome"]["message"]["en"]
    assert real_engine.api.containers(all=True, filters={"label": "org.layerlab.sandbox.role"}) == []
    await communicator.disconnect()


async def test_a_second_attempt_while_one_runs_is_refused(workers):
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": "push-private-registry", "files": SLOW})
    first = (await frames_until(communicator, "accepted"))[-1]["attempt"]
    await communicator.send_json_to({"type": "submit", "exercise": GRADED, "files": SOLUTION})
    error = (await frames_until(communicator, "error"))[-1]
    assert (error["code"], error["attempt"]) == ("busy", first)
    await communicator.send_json_to({"type": "cancel", "attempt": first})
    await frames_until(communicator, "result", timeout=20)
    await communicator.disconnect()


async def test_a_reconnect_replays_what_was_missed_exactly_once(workers):
    communicator = await connect()
    await communicator.send_json_to({"type": "submit", "exercise": GRADED, "files": SOLUTION})
    frames = await frames_until(communicator, "result")
    await communicator.disconnect()
    attempt, seen = frames[0]["attempt"], frames[1:4]
    again = await connect()
    await again.send_json_to({"type": "subscribe", "attempt": attempt, "after": seen[-1]["seq"]})
    replayed = await frames_until(again, "result")
    assert [f["seq"] for f in replayed] == list(range(seen[-1]["seq"] + 1, frames[-1]["seq"] + 1))
    assert replayed == frames[4:]
    assert await again.receive_nothing(timeout=0.5)
    await again.disconnect()


async def test_a_learner_cannot_subscribe_to_someone_elses_attempt(workers):
    owner = await connect("ada")
    await owner.send_json_to({"type": "submit", "exercise": GRADED, "files": SOLUTION})
    attempt = (await frames_until(owner, "result"))[0]["attempt"]
    intruder = await connect("mallory")
    await intruder.send_json_to({"type": "subscribe", "attempt": attempt})
    error = await intruder.receive_json_from(timeout=10)
    assert error["code"] == "not_found"
    await intruder.send_json_to({"type": "cancel", "attempt": attempt})
    assert (await intruder.receive_json_from(timeout=10))["code"] == "not_found"
    await owner.disconnect()
    await intruder.disconnect()


async def test_an_unreachable_engine_fails_the_attempt_plainly(course):
    pool = start_workers(lambda: Engine("unix:///nonexistent.sock"), size=1)
    try:
        communicator = await connect()
        await communicator.send_json_to({"type": "submit", "exercise": GRADED, "files": SOLUTION})
        result = (await frames_until(communicator, "result"))[-1]
        assert result["status"] == "failed"
        assert result["outcome"]["kind"] == "engine_unavailable"
        await communicator.disconnect()
    finally:
        in_a_thread(pool.stop)


async def test_events_reach_a_second_tab(workers):
    first, second = await connect(), await connect()
    await first.send_json_to({"type": "submit", "exercise": GRADED, "files": SOLUTION})
    accepted = await first.receive_json_from(timeout=10)
    await second.send_json_to({"type": "subscribe", "attempt": accepted["attempt"]})
    from_second = await frames_until(second, "result")
    from_first = await frames_until(first, "result")
    assert [f["seq"] for f in from_second] == [f["seq"] for f in from_first]
    await asyncio.gather(first.disconnect(), second.disconnect())
