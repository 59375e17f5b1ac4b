"""Benchmark: the instructors' dashboard on a large class. Seeds a class of 500 learners x 20 exercises x 10 graded
submissions (with a failed check on each failed one) into a database of its own, then prints, for the matrix page
and the statistics page, the number of queries and the median time, next to a bare Django view that reads the same
rows in one aggregate query and renders them as plain text. Then one learner's result events are stored the way a
worker stores them, and the time each takes to reach the learner's socket and an instructor's class socket is
measured side by side. Targets: the query counts do not grow with the class (compare with --learners 50), each page
stays within a small multiple of the bare view, and the instructor hears of a result within 1.5x the time the
learner does.

    .venv/bin/python bench/dashboard.py [--learners 500] [--exercises 20] [--attempts 10] [--rounds 3]
"""
import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layerlab.settings")
os.environ["LAYERLAB_DB_PATH"] = str(Path(tempfile.mkdtemp(prefix="layerlab-bench-")) / "db.sqlite3")
os.environ.setdefault("SANDBOX_EMBEDDED_WORKERS", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.urls import reverse  # noqa: E402

from attempts import jobs  # noqa: E402
from attempts.models import Attempt, AttemptEvent  # noqa: E402
from course.models import Exercise  # noqa: E402
from teaching.models import Classroom, Enrollment  # noqa: E402
from teaching.roles import make_instructor  # noqa: E402
from tests.sockets import ORIGIN, session_cookie  # noqa: E402


def seed(learners: int, exercises: int, attempts: int) -> Classroom:
    call_command("migrate", verbosity=0)
    call_command("sync_course", verbosity=0)
    course = list(Exercise.objects.visible())
    for number in range(len(course), exercises):  # more exercises like the course's, in its last lesson
        model = course[number % len(course)]
        Exercise.objects.create(slug=f"{model.slug}-{number}", lesson=model.lesson, order=100 + number,
                                title=model.title, summary=model.summary, definition=model.definition)
    chosen = list(Exercise.objects.visible())[:exercises]
    teacher = User.objects.create_user("teacher")
    make_instructor(teacher)
    classroom = Classroom.objects.create(name="Bench")
    classroom.instructors.add(teacher)
    people = User.objects.bulk_create([User(username=f"learner-{n:04}") for n in range(learners)])
    Enrollment.objects.bulk_create([Enrollment(classroom=classroom, learner=person) for person in people])
    rows = [Attempt(user=person, exercise=exercise, kind=Attempt.Kind.SUBMIT, status=Attempt.Status.FINISHED,
                    outcome_kind="ok", passed=(n == attempts - 1), score=6 if n == attempts - 1 else n % 6,
                    max_score=6, files={"Dockerfile": "FROM layerlab/busybox\n"})
            for person in people for exercise in chosen for n in range(attempts)]
    Attempt.objects.bulk_create(rows, batch_size=5000)
    failed = Attempt.objects.filter(passed=False).values_list("id", flat=True).iterator(chunk_size=5000)
    AttemptEvent.objects.bulk_create(
        (AttemptEvent(attempt_id=attempt_id, seq=1, data={"type": "check", "id": f"check-{attempt_id % 4}",
                                                          "passed": False, "message": {"en": "No.", "zh-hans": "不。"}})
         for attempt_id in failed), batch_size=5000)
    return classroom


def bare_view(request, classroom: Classroom) -> HttpResponse:
    """The least a matrix could cost: one aggregate query over the same rows, rendered as text."""
    cells = (Attempt.objects.graded().filter(user__in=classroom.learners.all())
             .values("user_id", "exercise_id").annotate(attempts=Count("id"), passed=Max("passed")))
    return HttpResponse("\n".join(f"{c['user_id']} {c['exercise_id']} {c['attempts']} {c['passed']}" for c in cells))


def measure(call, rounds: int) -> tuple[int, float]:
    """(queries of one call, median seconds over `rounds` calls)."""
    executed = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: executed.append(sql) or
                                    execute(sql, params, many, context)):
        call()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return len(executed), statistics.median(times)


async def live_latency(classroom: Classroom, rounds: int) -> tuple[float, float]:
    """Median seconds from storing a result event to its arrival at the learner's socket and at the instructor's."""
    from channels.testing import WebsocketCommunicator

    from layerlab.routing import websocket_application

    learner = await asyncio.to_thread(lambda: User.objects.get(username="learner-0000"))
    attempt = await asyncio.to_thread(lambda: Attempt.objects.filter(user=learner).first())
    sockets = []
    for username, path in ((learner.username, "/ws/sandbox/"), ("teacher", f"/ws/teaching/classes/{classroom.id}/")):
        cookie = await asyncio.to_thread(session_cookie, username)
        socket = WebsocketCommunicator(websocket_application(), path, headers=[ORIGIN, (b"cookie", cookie)])
        assert (await socket.connect())[0]
        sockets.append(socket)
    await sockets[0].send_json_to({"type": "subscribe", "attempt": attempt.id, "after": attempt.last_seq})
    result = {"type": "result", "status": "finished", "passed": True, "score": 6, "max_score": 6, "outcome": {}}
    to_learner, to_instructor = [], []
    for _ in range(rounds):
        started = time.perf_counter()

        async def arrival(socket, started=started) -> float:
            await socket.receive_json_from(timeout=30)
            return time.perf_counter() - started

        waiting = [asyncio.create_task(arrival(socket)) for socket in sockets]
        await asyncio.to_thread(jobs.record, attempt, result)
        learner_seconds, instructor_seconds = await asyncio.gather(*waiting)
        to_learner.append(learner_seconds)
        to_instructor.append(instructor_seconds)
    for socket in sockets:
        await socket.disconnect()
    return statistics.median(to_learner), statistics.median(to_instructor)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--exercises", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    started = time.perf_counter()
    classroom = seed(arguments.learners, arguments.exercises, arguments.attempts)
    print(f"seeded {arguments.learners} learners x {arguments.exercises} exercises x {arguments.attempts} attempts "
          f"({Attempt.objects.count()} attempts) in {time.perf_counter() - started:.1f} s")
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="teacher"))
    request = RequestFactory().get("/")

    def page(name: str):
        def call() -> None:
            response = client.get(reverse(name, args=[classroom.id]))
            assert response.status_code == 200, response.status_code
        return call

    bare_queries, bare_seconds = measure(lambda: bare_view(request, classroom), arguments.rounds)
    print(f"{'page':<12} {'queries':>8} {'median s':>9} {'x bare':>7}")
    print(f"{'bare view':<12} {bare_queries:>8} {bare_seconds:>9.3f} {1:>7.1f}")
    for label, name in (("matrix", "teaching-class"), ("statistics", "teaching-statistics")):
        queries, seconds = measure(page(name), arguments.rounds)
        print(f"{label:<12} {queries:>8} {seconds:>9.3f} {seconds / bare_seconds:>7.1f}")
    learner_seconds, instructor_seconds = asyncio.run(live_latency(classroom, rounds=20))
    print(f"a result reaches the learner in {learner_seconds * 1000:.1f} ms and the instructor in "
          f"{instructor_seconds * 1000:.1f} ms (median of 20): ratio {instructor_seconds / learner_seconds:.2f}")


if __name__ == "__main__":
    main()
