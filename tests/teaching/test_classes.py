"""An instructor creates a class and shares its invite code; learners join with it (several classes each); the
code can be rotated and can expire; co-instructors teach it too; an instructor sees only the classes they teach."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from teaching.models import Classroom
from teaching.roles import LEARNERS_GROUP, is_instructor
from tests.teaching.conftest import logged_in, user

pytestmark = pytest.mark.django_db


def test_the_roles_exist_and_only_instructors_teach(db):
    teacher = user("teacher", instructor=True)
    learner = user("learner")
    assert Group.objects.filter(name=LEARNERS_GROUP).exists()
    assert is_instructor(teacher) and not is_instructor(learner)


def test_an_instructor_creates_a_class_and_teaches_it(db):
    teacher = user("teacher", instructor=True)
    response = logged_in(teacher).post(reverse("teaching"), {"name": "Docker 101"})
    classroom = Classroom.objects.get()
    assert response.status_code == 302 and response["Location"] == classroom.get_absolute_url()
    assert list(classroom.instructors.all()) == [teacher]
    assert len(classroom.invite_code) >= 8


def test_a_learner_joins_by_the_link_and_by_typing_the_code_into_several_classes(db):
    first, second = Classroom.objects.create(name="A"), Classroom.objects.create(name="B")
    learner = user("learner")
    client = logged_in(learner)
    assert client.get(reverse("teaching-join", args=[first.invite_code])).status_code == 200
    assert client.post(reverse("teaching-join-form"), {"code": first.invite_code}).status_code == 302
    assert client.post(reverse("teaching-join-form"), {"code": f" {second.invite_code} "}).status_code == 302
    assert set(learner.classes_joined.values_list("name", flat=True)) == {"A", "B"}
    assert "Your classes: A, B" in client.get(reverse("teaching-join-form"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert learner.groups.filter(name=LEARNERS_GROUP).exists()


def test_a_wrong_or_expired_code_joins_nothing(db):
    classroom = Classroom.objects.create(name="A", invite_expires_at=timezone.now() - timedelta(minutes=1))
    client = logged_in(user("learner"))
    for code in (classroom.invite_code, "not-a-code"):
        response = client.post(reverse("teaching-join-form"), {"code": code})
        assert response.status_code == 200
        assert "not valid, or it has expired" in response.content.decode()
    assert not classroom.learners.exists()


def test_rotating_the_code_stops_the_old_one(db):
    teacher = user("teacher", instructor=True)
    classroom = Classroom.objects.create(name="A")
    classroom.instructors.add(teacher)
    old = classroom.invite_code
    expiry = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    logged_in(teacher).post(reverse("teaching-rotate-invite", args=[classroom.id]), {"expires_at": expiry})
    classroom.refresh_from_db()
    assert classroom.invite_code != old and classroom.invite_expires_at is not None and classroom.invite_open()
    learner = logged_in(user("learner"))
    learner.post(reverse("teaching-join-form"), {"code": old})
    assert not classroom.learners.exists()
    learner.post(reverse("teaching-join-form"), {"code": classroom.invite_code})
    assert classroom.learners.count() == 1


def test_a_co_instructor_must_be_an_instructor_and_then_sees_the_class(db):
    teacher, colleague = user("teacher", instructor=True), user("colleague", instructor=True)
    user("learner")
    classroom = Classroom.objects.create(name="A")
    classroom.instructors.add(teacher)
    client = logged_in(teacher)
    client.post(reverse("teaching-add-instructor", args=[classroom.id]), {"username": "learner"})
    assert list(classroom.instructors.values_list("username", flat=True)) == ["teacher"]
    assert logged_in(colleague).get(classroom.get_absolute_url()).status_code == 404
    client.post(reverse("teaching-add-instructor", args=[classroom.id]), {"username": "colleague"})
    assert logged_in(colleague).get(classroom.get_absolute_url()).status_code == 200


def test_the_class_list_shows_only_the_classes_one_teaches(db):
    teacher, other = user("teacher", instructor=True), user("other", instructor=True)
    mine, theirs = Classroom.objects.create(name="Mine-class"), Classroom.objects.create(name="Theirs-class")
    mine.instructors.add(teacher)
    theirs.instructors.add(other)
    page = logged_in(teacher).get(reverse("teaching")).content.decode()
    assert "Mine-class" in page and "Theirs-class" not in page


def test_the_demo_instructor_gets_the_role_and_a_demo_class_with_the_demo_learner(db, monkeypatch):
    monkeypatch.setenv("LAYERLAB_DEMO_PASSWORD", "demo-password-long")
    call_command("create_demo_accounts")
    call_command("create_demo_class")
    call_command("create_demo_class")  # again, as every start of scripts/run does: still one class
    instructor = User.objects.get(username="instructor")
    classroom = Classroom.objects.taught_by(instructor).get()
    assert is_instructor(instructor)
    assert list(classroom.learners.values_list("username", flat=True)) == ["learner"]


def test_staff_find_every_model_of_classes_in_the_admin(db):
    client = logged_in(User.objects.create_superuser("root", password="correct horse battery"))
    for model in ("classroom", "enrollment", "deadline", "extension", "regraderun"):
        assert client.get(f"/admin/teaching/{model}/").status_code == 200, model
    for path in ("attempts/attempt", "attempts/attemptevent", "attempts/draft", "attempts/worker",
                 "course/lesson", "course/exercise", "course/lessonpage", "registry/registrypassword"):
        assert client.get(f"/admin/{path}/").status_code == 200, path
