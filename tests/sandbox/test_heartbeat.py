"""Progress a learner can see: each phase of an attempt is announced with its limit, and a silent build step or a
silent container sends heartbeats with the seconds it has run."""
import pytest

from attempts.heartbeat import HEARTBEAT_SECONDS, AttemptClock
from engine.facts import Phase
from tests.sockets import connect, frames_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]

SILENT_STEP = {"Dockerfile": f"FROM layerlab/busybox\nRUN sleep {HEARTBEAT_SECONDS + 2:.0f}\nCMD [\"true\"]\n"}
SILENT_RUN = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["sleep", "60"]\n'}



@pytest.mark.asyncio
async def test_a_silent_build_step_sends_heartbeats_against_the_build_limit(one_worker, real_engine):
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": "push-private-registry", "files": SILENT_STEP})
    frames = await frames_until(communicator, "result")
    phases = [(f["phase"], f["limit"]) for f in frames if f["type"] == "phase"]
    assert phases == [("build", real_engine.limits.build_timeout), ("run", real_engine.limits.run_timeout)]
    beats = [f for f in frames if f["type"] == "heartbeat"]
    assert beats, [f["type"] for f in frames]
    first = beats[0]
    assert (first["phase"], first["limit"], first["step"]) == ("build", real_engine.limits.build_timeout, 2)
    assert first["elapsed"] >= HEARTBEAT_SECONDS and 0 < first["step_elapsed"] <= first["elapsed"]
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_silent_container_runs_against_its_limit_until_it_is_stopped(one_worker, real_engine):
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": "push-private-registry", "files": SILENT_RUN})
    frames = await frames_until(communicator, "result")
    run_beats = [f for f in frames if f["type"] == "heartbeat" and f["phase"] == "run"]
    assert run_beats and all(f["step"] is None and f["limit"] == real_engine.limits.run_timeout for f in run_beats)
    assert frames[-1]["outcome"]["kind"] == "time_limit"
    assert [f["seq"] for f in frames[1:]] == list(range(1, len(frames)))
    await communicator.disconnect()


def test_a_phase_is_announced_once_and_no_heartbeat_follows_the_result():
    now = [0.0]
    clock = AttemptClock(lambda: now[0])
    assert clock.entered(Phase("check")) == {"type": "phase", "phase": "check", "limit": None}
    assert clock.entered(Phase("check")) is None
    now[0] = HEARTBEAT_SECONDS - 0.1
    assert clock.heartbeat() is None
    now[0] = HEARTBEAT_SECONDS
    assert clock.heartbeat()["elapsed"] == HEARTBEAT_SECONDS
    now[0] = 3 * HEARTBEAT_SECONDS
    clock.ended()
    assert clock.heartbeat() is None
