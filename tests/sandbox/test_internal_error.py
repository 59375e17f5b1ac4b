"""A bug in the server ends an attempt as internal_error, with an id the learner can quote and the log holds;
an engine lost in the middle of the work is still engine_unavailable. Neither counts against the learner."""
import logging

import pytest
from asgiref.sync import sync_to_async

from attempts import jobs
from attempts.models import Attempt
from engine.engine import Engine, EngineUnavailable
from engine.facts import LogLine
from tests.sockets import connect, frames_until, in_a_thread, start_workers

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

GRADED = "run-vs-cmd"
FILES = {"Dockerfile": "FROM layerlab/busybox\n"}


def grading_that_raises(error: Exception):
    """grade_stream as if it got as far as a first line of output, then failed with `error`."""
    def grade_stream(*args, **kwargs):
        yield LogLine("build", "Step 1/1 : FROM layerlab/busybox")
        raise error
    return grade_stream


async def submitted_until_result(monkeypatch, error: Exception) -> dict:
    monkeypatch.setattr(jobs, "grade_stream", grading_that_raises(error))
    pool = start_workers(lambda: Engine("unix:///nonexistent/layerlab/docker.sock"), size=1)
    try:
        communicator = await connect()
        await communicator.send_json_to({"type": "submit", "exercise": GRADED, "files": FILES})
        frames = await frames_until(communicator, "result", timeout=20)
        await communicator.disconnect()
    finally:
        in_a_thread(pool.stop)
    assert await sync_to_async(Attempt.objects.graded().count)() == 0
    return frames[-1]


async def test_a_bug_is_an_internal_error_whose_id_the_log_holds(course, monkeypatch, caplog):
    with caplog.at_level(logging.ERROR, logger="attempts.jobs"):
        result = await submitted_until_result(monkeypatch, KeyError("a bug"))
    (logged,) = [record for record in caplog.records if record.getMessage().startswith("internal error")]
    error_id = logged.args[0]
    assert logged.exc_info[0] is KeyError
    assert (result["status"], result["outcome"]["kind"]) == ("failed", "internal_error")
    assert result["outcome"]["detail"] == {"error_id": error_id}
    assert len(error_id) == 8 and error_id in result["outcome"]["message"]["en"]
    assert f"错误编号 {error_id}" in result["outcome"]["message"]["zh-hans"]
    assert "a bug" not in str(result) and "Traceback" not in str(result)  # the learner never sees the server's insides


async def test_an_engine_lost_during_the_work_is_engine_unavailable(course, monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="attempts.jobs"):
        result = await submitted_until_result(monkeypatch, EngineUnavailable("connection reset by peer"))
    assert (result["status"], result["outcome"]["kind"]) == ("failed", "engine_unavailable")
    assert not [record for record in caplog.records if record.getMessage().startswith("internal error")]
