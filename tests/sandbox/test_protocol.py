"""docs/protocol.md as a stranger's client would find it: the handshake refuses an anonymous socket with HTTP 403,
a frame without an exercise is a bad request, a second subscribe on one socket replays nothing again, closing the
socket does not stop the attempt, and the doc's examples and tables say what the server sends."""
import asyncio
import json
import re
from pathlib import Path

import pytest
import websockets
from asgiref.sync import sync_to_async

from attempts.models import Attempt
from engine.limits import EDITOR_LIMITS
from engine.outcomes import MESSAGES, OutcomeKind
from tests.sandbox.examples import ECHO_AT_RUN_TIME
from tests.servers import site_on_test_database
from tests.sockets import connect, frames_until

pytestmark = [pytest.mark.django_db(transaction=True)]

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
SOLUTION = ECHO_AT_RUN_TIME
SLOWER = {"Dockerfile": 'FROM layerlab/busybox\nRUN sleep 2\nCMD ["echo", "done"]\n'}



async def tried(files: dict):
    """A socket that sent a Build & Run of `files`, and the `accepted` frame it got."""
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": "push-private-registry", "files": files})
    return communicator, await communicator.receive_json_from(timeout=10)


def doc_examples() -> list[dict]:
    blocks = re.findall(r"```json\n(.*?)```", DOC, re.DOTALL)
    return [json.loads(line) for block in blocks for line in block.splitlines() if line.strip()]


def test_an_anonymous_socket_is_refused_at_the_handshake_with_403(course):
    async def handshake(url: str) -> int:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(url.replace("http", "ws") + "/ws/sandbox/",
                                          additional_headers={"Origin": url}):
                pass
        return refused.value.response.status_code

    with site_on_test_database() as url:
        assert asyncio.run(handshake(url)) == 403
    assert "refused with HTTP 403" in DOC


@pytest.mark.asyncio
async def test_a_frame_without_an_exercise_is_a_bad_request(course):
    communicator = await connect()
    for kind in ("lint", "try", "submit"):
        await communicator.send_json_to({"type": kind, "files": SOLUTION})
        error = await communicator.receive_json_from(timeout=10)
        assert (error["type"], error["code"]) == ("error", "bad_request")
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.engine
async def test_a_second_subscribe_on_one_socket_replays_nothing_again(one_worker):
    communicator, _ = await tried(SOLUTION)
    frames = await frames_until(communicator, "result")
    await communicator.send_json_to({"type": "subscribe", "attempt": frames[0]["attempt"], "after": 0})
    assert await communicator.receive_nothing(timeout=1)
    await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.engine
async def test_closing_the_socket_does_not_stop_the_attempt(one_worker):
    communicator, accepted = await tried(SLOWER)
    await communicator.disconnect()
    attempt = await sync_to_async(Attempt.objects.get)(id=accepted["attempt"])
    for _ in range(600):
        await sync_to_async(attempt.refresh_from_db)()
        if attempt.status not in Attempt.ACTIVE_STATUSES:
            break
        await asyncio.sleep(0.1)
    assert (attempt.status, attempt.outcome_kind) == ("finished", "ok")
    assert "does not stop" in DOC


@pytest.mark.asyncio
@pytest.mark.engine
async def test_the_docs_examples_have_the_fields_the_server_sends(one_worker):
    communicator = await connect()
    example = next(frame for frame in doc_examples() if frame["type"] == "submit")
    await communicator.send_json_to({**example, "exercise": "run-vs-cmd", "files": SOLUTION})
    sent = {}
    for frame in await frames_until(communicator, "result"):
        sent.setdefault(frame["type"], set(frame))
    await communicator.disconnect()
    documented = {frame["type"]: set(frame) for frame in doc_examples()}
    for kind, fields in sent.items():
        if kind in documented and kind != "log":  # log examples show one stream of several
            assert documented[kind] == fields, kind


def test_the_doc_states_the_editors_limits_and_every_outcome_with_its_detail():
    limits = f"at most {EDITOR_LIMITS.max_files} files, each at most {EDITOR_LIMITS.max_file_bytes // 1024} KiB"
    assert limits in DOC and f"{EDITOR_LIMITS.max_total_bytes // 1024} KiB in all" in DOC
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (.*) \|$", DOC.split("### Outcomes")[1].split("\n## ")[0], re.M))
    for kind in OutcomeKind:
        assert kind.value in rows, kind
        for name in set(re.findall(r"\{(\w+)\}", str(MESSAGES.get(kind, "")))) - {"phase", "phase_lower"}:
            assert f"`{name}`" in rows[kind.value], (kind, name)
