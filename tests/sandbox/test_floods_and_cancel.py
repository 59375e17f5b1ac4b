"""Floods and Cancel through the websocket: a flood ends within seconds, says it was cut off and how much was
kept, and is stored in a bounded number of events; Cancel ends an attempt in any phase within 2 s."""
import asyncio
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async

from attempts.models import Attempt
from tests.sockets import connect, frames_until, running_workers

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.engine]

TRY_EXERCISE = "push-private-registry"  # any exercise on the busybox image: a try only builds and runs
GRACEFUL_STOP = Path(__file__).parents[2] / "course/content/05-run-cmd-entrypoint/exercises/graceful-stop"
CANCEL_WITHIN = 2.0


@pytest.fixture
def workers(real_engine, course):
    with running_workers(real_engine, size=2) as pool:
        yield pool


async def try_dockerfile(dockerfile: str):
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": TRY_EXERCISE, "files": {"Dockerfile": dockerfile}})
    return communicator


async def stored_events(attempt_id: int) -> int:
    return await sync_to_async(lambda: Attempt.objects.get(id=attempt_id).events.count())()


@pytest.mark.parametrize("dockerfile, phase", [
    ('FROM layerlab/busybox\nCMD ["yes"]\n', "run"),
    ("FROM layerlab/busybox\nRUN yes\n", "build"),
])
async def test_a_flood_ends_fast_says_it_was_cut_off_and_is_stored_in_batches(workers, real_engine, dockerfile,
                                                                               phase):
    started = time.monotonic()
    communicator = await try_dockerfile(dockerfile)
    frames = await frames_until(communicator, "result", timeout=30)
    took = time.monotonic() - started
    result = frames[-1]
    assert result["outcome"]["kind"] == "output_truncated" and result["outcome"]["phase"] == phase
    assert took < 10
    detail, limits = result["outcome"]["detail"], real_engine.limits
    assert 0 < detail["kept_lines"] <= limits.output_lines and detail["kept_kb"] <= limits.output_kb
    assert f"the first {detail['kept_lines']} lines" in result["outcome"]["message"]["en"]
    assert "截断" in result["outcome"]["message"]["zh-hans"]
    shown = [line for frame in frames if frame["type"] == "log" for line in frame["text"].split("\n") if line == "y"]
    assert len(shown) >= detail["kept_lines"] - 10  # what was kept is what the learner saw, builder lines aside
    assert await stored_events(frames[0]["attempt"]) < 60
    await communicator.disconnect()


async def cancel_and_time(communicator, attempt: int) -> tuple[dict, float]:
    asked = time.monotonic()
    await communicator.send_json_to({"type": "cancel", "attempt": attempt})
    result = (await frames_until(communicator, "result", timeout=20))[-1]
    return result, time.monotonic() - asked


async def test_cancel_ends_an_endless_container_within_two_seconds(workers, real_engine):
    endless = 'FROM layerlab/busybox\nCMD ["sh", "-c", "echo looping; while :; do :; done"]\n'
    communicator = await try_dockerfile(endless)
    frames = await frames_until(communicator, "log")
    while frames[-1].get("stream") != "stdout":
        frames = await frames_until(communicator, "log")
    result, took = await cancel_and_time(communicator, frames[0]["attempt"])
    assert result["status"] == "cancelled" and took < CANCEL_WITHIN
    await communicator.disconnect()


async def test_cancel_ends_a_build_within_two_seconds(workers):
    communicator = await try_dockerfile("FROM layerlab/busybox\nRUN echo started && sleep 30\n")
    frames = await frames_until(communicator, "log")
    result, took = await cancel_and_time(communicator, frames[0]["attempt"])
    assert result["status"] == "cancelled" and took < CANCEL_WITHIN
    await communicator.disconnect()


async def test_cancel_ends_a_grading_step_the_engine_cannot_interrupt_within_two_seconds(workers, real_engine):
    """The starter of graceful-stop ignores SIGTERM: measuring its `docker stop` takes the whole grace period,
    in one engine call that no Cancel can cut short. The attempt ends anyway; the work winds down behind it."""
    files = {path.name: path.read_text() for path in (GRACEFUL_STOP / "starter").iterdir()}
    communicator = await connect()
    await communicator.send_json_to({"type": "submit", "exercise": "graceful-stop", "files": files})
    frames = await frames_until(communicator, "build_step")
    steps = frames[-1]["total"]
    while not (frames[-1]["type"] == "step_finished" and frames[-1]["step"] == steps):
        frames += await frames_until(communicator, "step_finished")
    await asyncio.sleep(2)  # inside the stop measurement by now
    result, took = await cancel_and_time(communicator, frames[0]["attempt"])
    assert result["status"] == "cancelled" and took < CANCEL_WITHIN
    await communicator.disconnect()
    deadline = time.monotonic() + 20  # the wound-down work leaves nothing behind
    while real_engine.api.containers(all=True, filters={"label": "org.layerlab.sandbox.role"}):
        assert time.monotonic() < deadline, "the cancelled work left a container"
        await asyncio.sleep(0.5)
