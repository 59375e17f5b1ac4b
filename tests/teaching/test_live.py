"""The class socket: only the class's instructors may join, from the site's origin; as a learner of the class
submits on the real engine, they receive the attempt's news with what the learner's cell needs, never the files."""
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from attempts import jobs
from attempts.models import Attempt
from layerlab.routing import websocket_application
from tests.sockets import ORIGIN, connect, frames_until, running_workers, session_cookie

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

SOLUTION = {"Dockerfile": 'FROM layerlab/busybox\nWORKDIR /app\nRUN echo "built at build time" > build-info.txt\n'
                          'CMD ["echo", "Hello at run time"]\n'}


def class_socket(classroom_id: int, cookie: bytes | None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [origin] + ([(b"cookie", cookie)] if cookie else [])
    return WebsocketCommunicator(websocket_application(), f"/ws/teaching/classes/{classroom_id}/", headers=headers)


async def instructor_socket(classroom_id: int) -> WebsocketCommunicator:
    instructor = class_socket(classroom_id, await sync_to_async(session_cookie)("teacher"))
    assert (await instructor.connect())[0]
    return instructor


async def submitted(username: str) -> WebsocketCommunicator:
    """The sandbox socket of `username`, once the solution they submitted has its result."""
    learner = await connect(username)
    await learner.send_json_to({"type": "submit", "exercise": "run-vs-cmd", "files": SOLUTION})
    await frames_until(learner, "result")
    return learner


@pytest.mark.parametrize(("who", "code"), [(None, 4401), ("ada", 4403), ("other-teacher", 4403)])
async def test_anyone_but_an_instructor_of_the_class_is_refused(people, who, code):
    cookie = await sync_to_async(session_cookie)(who) if who else None
    connected, closed_with = await class_socket(people.classroom.id, cookie).connect()
    assert (connected, closed_with) == (False, code)


async def test_a_foreign_origin_is_refused_even_for_the_instructor(people):
    cookie = await sync_to_async(session_cookie)("teacher")
    connected, _ = await class_socket(people.classroom.id, cookie, (b"origin", b"http://evil.example")).connect()
    assert not connected


@pytest.mark.engine
async def test_the_instructor_sees_a_learners_submission_queue_start_and_pass(people, real_engine):
    instructor = await instructor_socket(people.classroom.id)
    with running_workers(real_engine, size=1):
        learner = await submitted("ada")
        news = []
        while not news or news[-1]["event"] != "result":
            news.append(await instructor.receive_json_from(timeout=60))
        await learner.disconnect()
    await instructor.disconnect()
    assert [item["event"] for item in news] == ["queued", "started", "result"]
    assert {item["username"] for item in news} == {"ada"} and news[-1]["passed"] is True
    attempt = await sync_to_async(Attempt.objects.get)(id=news[-1]["attempt"])
    assert news[-1]["graded"] is True and news[-1]["submitted_at"] == attempt.created_at.isoformat()
    assert news[-1]["number"] == attempt.number == 1  # the learner's own count, as their page shows it
    assert news[-1]["score"] == news[-1]["max_score"] and news[-1]["exercise_slug"] == "run-vs-cmd"
    assert "built at build time" not in json.dumps(news) and "files" not in news[-1]


@pytest.mark.engine
async def test_an_attempt_of_someone_outside_the_class_sends_nothing(people, real_engine):
    instructor = await instructor_socket(people.classroom.id)
    with running_workers(real_engine, size=1):
        await (await submitted("outsider")).disconnect()
    assert await instructor.receive_nothing(timeout=1)
    await instructor.disconnect()


async def test_a_regrade_is_not_news_and_a_result_says_what_its_cell_needs(people, exercises):
    """Results stored the way a worker stores them: an instructor's regrade of ada's submission sends nothing; her
    own graded submission sends its result, and a try's result is not graded."""
    exercise = exercises[0]

    def attempt(kind: str) -> Attempt:
        return Attempt.objects.create(user=people.ada, exercise=exercise, kind=kind, files={},
                                      status=Attempt.Status.FINISHED)

    result = {"type": "result", "status": "finished", "passed": False, "score": 2, "max_score": 6, "outcome": {}}
    instructor = await instructor_socket(people.classroom.id)
    for kind in (Attempt.Kind.REGRADE, Attempt.Kind.SUBMIT, Attempt.Kind.TRY):
        await sync_to_async(jobs.record)(await sync_to_async(attempt)(kind), result)
    submitted, tried = await instructor.receive_json_from(timeout=5), await instructor.receive_json_from(timeout=5)
    assert await instructor.receive_nothing(timeout=0.5)
    await instructor.disconnect()
    assert (submitted["kind"], submitted["graded"], submitted["score"]) == ("submit", True, 2)
    assert (tried["kind"], tried["graded"]) == ("try", False)
    assert submitted["username"] == "ada" and submitted["exercise_slug"] == exercise.slug
