"""A class on the real course: its instructor, a second instructor who teaches another class, learners (one with
a Chinese name), and graded submissions written straight into the attempts table, as the workers leave them."""
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from attempts.models import Attempt, AttemptEvent
from course.models import Exercise
from teaching.models import Classroom, Enrollment
from teaching.roles import make_instructor

PASSWORD = "correct horse battery"


def user(username: str, *, instructor: bool = False, **names) -> User:
    created = User.objects.create_user(username, password=PASSWORD, **names)
    if instructor:
        make_instructor(created)
    return created


def logged_in(who: User) -> Client:
    client = Client()
    client.force_login(who)
    return client


def submission(learner: User, exercise: Exercise, *, passed: bool, score: int, failing=(), when: datetime | None = None,
               files: dict | None = None, max_score: int = 6) -> Attempt:
    """A graded submission with a failed check event for each (check id, English message) in `failing`."""
    attempt = Attempt.objects.create(
        user=learner, exercise=exercise, kind=Attempt.Kind.SUBMIT, status=Attempt.Status.FINISHED,
        files=files or {"Dockerfile": f"FROM layerlab/busybox\n# {score}\n"}, definition=exercise.definition,
        outcome_kind="ok" if passed else "checks_failed", passed=passed, score=score, max_score=max_score)
    created = when or timezone.now()
    Attempt.objects.filter(id=attempt.id).update(created_at=created, started_at=created,
                                                 finished_at=created + timedelta(seconds=3))
    for seq, (check, message) in enumerate(failing, 1):
        AttemptEvent.objects.create(attempt=attempt, seq=seq, data={
            "type": "check", "id": check, "passed": False, "points": 0, "max_points": 1, "attempt": attempt.id,
            "seq": seq, "message": {"en": message, "zh-hans": f"中文：{message}"}})
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def people(db, course):
    teacher = user("teacher", instructor=True)
    other_teacher = user("other-teacher", instructor=True)
    ada = user("ada", first_name="Ada", last_name="Lovelace")
    wei = user("zhang-wei", first_name="伟", last_name="张")
    outsider = user("outsider")
    classroom = Classroom.objects.create(name="Docker 101")
    classroom.instructors.add(teacher)
    other_class = Classroom.objects.create(name="Elsewhere")
    other_class.instructors.add(other_teacher)
    for learner in (ada, wei):
        Enrollment.objects.create(classroom=classroom, learner=learner)
    Enrollment.objects.create(classroom=other_class, learner=outsider)
    return type("People", (), {"teacher": teacher, "other_teacher": other_teacher, "ada": ada, "wei": wei,
                               "outsider": outsider, "classroom": classroom, "other_class": other_class})


@pytest.fixture
def exercises(course) -> list[Exercise]:
    return list(Exercise.objects.visible())
