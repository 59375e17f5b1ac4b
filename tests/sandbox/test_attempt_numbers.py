"""Attempt numbers are the learner's own: their first attempt at an exercise is #1 however many others the site
has run; events, the history and the "busy" refusal say that number (the id stays the key)."""
import pytest
from django.contrib.auth.models import User
from django.test import Client

from attempts import jobs
from attempts.models import Attempt
from course.models import Exercise

pytestmark = pytest.mark.django_db

BUSYBOX = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "hello"]\n'}


def ended(attempt: Attempt) -> None:
    Attempt.objects.filter(id=attempt.id).update(status="finished")


def test_each_learner_counts_their_own_attempts_at_each_exercise(course):
    exercise, other = Exercise.objects.get(slug="first-dockerfile"), Exercise.objects.get(slug="run-vs-cmd")
    ada, bob = User.objects.create_user("ada"), User.objects.create_user("bob")
    for _ in range(3):
        ended(jobs.submit(ada, exercise, "try", BUSYBOX))
    first_of_bob = jobs.submit(bob, exercise, "try", BUSYBOX)
    ended(first_of_bob)
    assert first_of_bob.number == 1 and first_of_bob.id == 4
    assert jobs.submit(ada, other, "submit", BUSYBOX).number == 1
    queued = first_of_bob.events.get(seq=1).data
    assert (queued["attempt"], queued["number"]) == (first_of_bob.id, 1)


def test_the_history_shows_the_number_beside_the_id(course):
    ada = User.objects.create_user("ada")
    exercise = Exercise.objects.get(slug="first-dockerfile")
    Attempt.objects.create(user=User.objects.create_user("bob"), exercise=exercise, kind="try", status="finished")
    mine = Attempt.objects.create(user=ada, exercise=exercise, kind="try", status="finished")
    client = Client()
    client.force_login(ada)
    listed = client.get("/exercises/first-dockerfile/attempts").json()["attempts"]
    assert [(row["id"], row["number"]) for row in listed] == [(mine.id, 1)]
    assert client.get(f"/attempts/{mine.id}").json()["number"] == 1


def test_busy_names_the_attempt_and_the_exercise_that_holds_it(course):
    ada = User.objects.create_user("ada")
    running = jobs.submit(ada, Exercise.objects.get(slug="run-vs-cmd"), "try", BUSYBOX)
    with pytest.raises(jobs.Refused) as refused:
        jobs.submit(ada, Exercise.objects.get(slug="first-dockerfile"), "try", BUSYBOX)
    assert (refused.value.code, refused.value.attempt) == ("busy", running.id)
    title = Exercise.objects.get(slug="run-vs-cmd").title
    assert refused.value.message["en"] == (f"Your attempt #1 at “{title['en']}” is still running: wait for it or "
                                           "cancel it.")
    assert title["zh-hans"] in refused.value.message["zh-hans"]
