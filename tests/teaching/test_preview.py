"""Authoring preview: an instructor loads an exercise's solution, a wrong variant or a cheat into their editor."""
import pytest
from django.urls import reverse

from attempts.models import Draft
from teaching.variants import variant_files, variant_names
from tests.teaching.conftest import logged_in

pytestmark = pytest.mark.django_db

EXERCISE = "layer-cache-order"  # it has alternatives, wrong variants and cheats


def test_every_kind_of_variant_is_offered(people):
    kinds = {kind for kind, _name in variant_names(EXERCISE)}
    assert kinds == {"solution", "solutions", "wrong", "cheats"}
    page = logged_in(people.teacher).get(reverse("teaching-preview", args=[EXERCISE]),
                                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reference solution" in page and "Cheat: echo-the-count" in page and "Wrong variant:" in page


def test_loading_a_cheat_puts_its_files_in_the_instructors_editor(people):
    client = logged_in(people.teacher)
    response = client.post(reverse("teaching-preview", args=[EXERCISE]), {"kind": "cheats", "name": "echo-the-count"})
    assert response["Location"] == reverse("exercise", args=[EXERCISE])
    draft = Draft.objects.get(user=people.teacher)
    assert draft.files == variant_files(EXERCISE, "cheats", "echo-the-count")
    assert draft.files["Dockerfile"] != variant_files(EXERCISE, "solution", "")["Dockerfile"]
    page = client.get(response["Location"]).content.decode()
    assert "The editor holds cheats/echo-the-count now" in page


def test_an_unknown_variant_or_a_path_is_not_found(people):
    client = logged_in(people.teacher)
    for name in ("nope", "../../solution", "../wrong"):
        assert client.post(reverse("teaching-preview", args=[EXERCISE]), {"kind": "cheats", "name": name}) \
            .status_code == 404
    assert not Draft.objects.exists()
