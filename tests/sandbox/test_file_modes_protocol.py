"""The executable bit over the websocket (docs/protocol.md): an optional `executable` list beside `files`, refused
unless it names some of the files, stored with the attempt, built into the context, and given back by the history."""
import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User

from attempts import jobs
from attempts.models import Attempt
from course.models import Exercise
from tests.sockets import connect, frames_until, running_workers

EXERCISE = "push-private-registry"  # graded from the registry, so a try is a plain build and run
SCRIPTED = {"Dockerfile": 'FROM layerlab/busybox\nCOPY run.sh /run.sh\nCMD ["/run.sh"]\n',
            "run.sh": "#!/bin/sh\necho the script ran\n"}


@pytest.fixture
def workers(real_engine, course):
    with running_workers(real_engine, size=1) as pool:
        yield pool


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "executable", "message"), [
    ("try", "run.sh", "executable must be a list of file names."),
    ("submit", {"run.sh": True}, "executable must be a list of file names."),
    ("try", ["run.sh", 7], "executable must be a list of file names."),
    ("submit", ["start.sh"], "start.sh is marked executable, but there is no such file."),
    ("lint", ["start.sh"], "start.sh is marked executable, but there is no such file."),
    ("try", ["a\u0000b"], "The file name 'a\\x00b' is not valid UTF-8 text, or holds a NUL character."),
])
async def test_an_executable_list_that_is_not_some_of_the_files_is_refused(course, kind, executable, message):
    communicator = await connect()
    await communicator.send_json_to({"type": kind, "exercise": EXERCISE, "files": SCRIPTED,
                                     "executable": executable})
    error = await communicator.receive_json_from(timeout=10)
    assert (error["type"], error["code"], error["message"]["en"]) == ("error", "bad_request", message)
    assert error["message"]["zh-hans"] != message
    assert await sync_to_async(Attempt.objects.count)() == 0
    await communicator.disconnect()


async def tried(**marks) -> list[dict]:
    """The frames of a try of SCRIPTED, from `accepted` to `result`."""
    communicator = await connect()
    await communicator.send_json_to({"type": "try", "exercise": EXERCISE, "files": SCRIPTED, **marks})
    try:
        return await frames_until(communicator, "result")
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.engine
async def test_a_try_runs_the_script_it_marks_executable_and_keeps_the_mark(workers):
    frames = await tried(executable=["run.sh"])
    assert any(f["type"] == "log" and f.get("text") == "the script ran" for f in frames)
    assert "notice" not in [f["type"] for f in frames]
    attempt = await sync_to_async(Attempt.objects.get)(id=frames[0]["attempt"])
    assert attempt.executable == ["run.sh"]


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.engine
async def test_a_try_without_the_mark_fails_as_docker_does_and_says_why_in_plain_words(workers):
    frames = await tried()
    assert any(f["type"] == "log" and "Permission denied" in f.get("text", "") for f in frames)
    [notice] = [f for f in frames if f["type"] == "notice"]
    assert notice["message"]["en"].startswith("/run.sh could not be run: permission denied.")
    assert "chmod +x" in notice["message"]["zh-hans"]


@pytest.fixture
def learner(db, course):
    return User.objects.create_user("ada", password="correct horse battery")


def test_the_attempt_history_gives_back_each_attempts_executable_files(client, learner):
    client.force_login(learner)
    exercise = Exercise.objects.get(slug="entrypoint-cmd")
    attempt = jobs.submit(learner, exercise, Attempt.Kind.TRY, {"Dockerfile": "FROM x\n", "greet.sh": "echo\n"},
                          executable=["greet.sh"])
    detail = client.get(f"/attempts/{attempt.id}").json()
    assert (detail["files"], detail["executable"]) == (attempt.files, ["greet.sh"])


def test_a_publish_builds_its_source_with_the_sources_executable_files(learner):
    exercise = Exercise.objects.get(slug=EXERCISE)
    source = jobs.submit(learner, exercise, Attempt.Kind.TRY, SCRIPTED, executable=["run.sh"])
    Attempt.objects.filter(id=source.id).update(status=Attempt.Status.FINISHED, outcome_kind="ok")
    published = jobs.publish(learner, source.id, "hello", "1.0")
    assert published.executable == ["run.sh"] and published.files == SCRIPTED


def test_leaving_executable_out_marks_nothing(learner):
    attempt = jobs.submit(learner, Exercise.objects.get(slug=EXERCISE), Attempt.Kind.TRY, SCRIPTED)
    assert Attempt.objects.get(id=attempt.id).executable == []
