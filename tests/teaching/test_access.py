"""Every instructor page, probed by id: anonymous users are sent to log in, learners are refused, an instructor of
another class finds nothing (404) — not the class, its learners, their attempts, deadlines or extensions."""
import pytest
from django.urls import URLPattern, reverse

from teaching import urls
from teaching.models import Deadline, Extension, RegradeRun
from tests.teaching.conftest import logged_in, submission

pytestmark = pytest.mark.django_db

OPEN_TO_LEARNERS = {"teaching-join", "teaching-join-form"}
POSTED = {"teaching-regrade-apply", "teaching-rotate-invite",
          "teaching-add-instructor", "teaching-set-deadline", "teaching-set-extension",
          "teaching-delete-deadline", "teaching-delete-extension"}


@pytest.fixture
def addresses(people, exercises):
    attempt = submission(people.ada, exercises[0], passed=False, score=1, failing=[("runs", "No.")])
    deadline = Deadline.objects.create(classroom=people.classroom, exercise=exercises[0], due_at=attempt.created_at)
    extension = Extension.objects.create(classroom=people.classroom, learner=people.ada, exercise=exercises[0],
                                         due_at=attempt.created_at)
    run = RegradeRun.objects.create(classroom=people.classroom, exercise=exercises[0], version="v")
    values = {"run_id": run.id, "class_id": people.classroom.id, "learner_id": people.ada.id, "attempt_id": attempt.id,
              "slug": exercises[0].slug, "code": people.classroom.invite_code}
    found = {}
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        names = set(pattern.pattern.converters)
        kwargs = {name: values[name] for name in names if name in values}
        if "item_id" in names:
            kwargs["item_id"] = deadline.id if "deadline" in pattern.name else extension.id
        found[pattern.name] = reverse(pattern.name, kwargs=kwargs)
    return found


def _probe(client, name: str, address: str):
    return client.post(address) if name in POSTED else client.get(address)


def test_anonymous_users_are_sent_to_log_in_everywhere(client, addresses):
    for name, address in addresses.items():
        response = _probe(client, name, address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_learners_are_refused_every_instructor_page(people, addresses):
    client = logged_in(people.ada)
    refused = {name: _probe(client, name, address).status_code for name, address in addresses.items()
               if name not in OPEN_TO_LEARNERS}
    assert refused == dict.fromkeys(refused, 403)


def test_an_instructor_of_another_class_finds_nothing_of_this_one(people, addresses):
    client = logged_in(people.other_teacher)
    class_pages = {name: _probe(client, name, address).status_code for name, address in addresses.items()
                   if "class_id" in next(p for p in urls.urlpatterns if p.name == name).pattern.converters}
    assert class_pages == dict.fromkeys(class_pages, 404)
    assert Deadline.objects.count() == 1 and Extension.objects.count() == 1  # the removals removed nothing


def test_an_attempt_of_a_learner_outside_the_class_is_not_found_in_it(people, exercises):
    attempt = submission(people.outsider, exercises[0], passed=True, score=6)
    client = logged_in(people.teacher)
    assert client.get(reverse("teaching-attempt", args=[people.classroom.id, attempt.id])).status_code == 404
    assert client.get(reverse("teaching-learner", args=[people.classroom.id, people.outsider.id])).status_code == 404


def test_the_instructor_of_the_class_sees_every_page(people, addresses):
    client = logged_in(people.teacher)
    for name, address in addresses.items():
        response = _probe(client, name, address)
        assert response.status_code in (200, 302), (name, response.status_code)
        if name not in POSTED:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert body, name


def test_forms_need_the_csrf_token(people):
    client = logged_in(people.teacher)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("teaching"), {"name": "Sneaky"})
    assert response.status_code == 403
