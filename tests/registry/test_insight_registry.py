"""Exploring an image of one's own namespace in the course registry, pulled with the learner's rights alone.
Its learners' names are its own: the registry is shared by the registry tests, some expecting a name unused."""
import pytest
from django.urls import reverse

from registry import registry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]
HELLO = 'FROM layerlab/busybox\nRUN echo hi > /greeting\nCMD ["cat", "/greeting"]\n'


def test_a_learner_explores_their_own_published_image_and_no_one_elses(engine, registry_settings, learner, client,
                                                                        tmp_path):
    registry_settings.STATE_DIR = tmp_path
    built = engine.build_ok(HELLO)
    users = {}
    for name in ("inez", "jonah"):
        users[name] = learner(name)
        pushed = list(engine.push(built.image, registry.reference(name, "hello", "1.0"),
                                  credentials=registry.service_credentials(name)))[-1]
        assert pushed.outcome.ok, pushed.outcome.message()
    client.force_login(users["inez"])
    explained = client.get(reverse("insight-registry", kwargs={"key": "hello:1.0"})).json()
    assert explained["argv"] == ["cat", "/greeting"]
    assert any(layer["added"] == ["greeting"] for layer in explained["layers"])
    # Another namespace cannot even be named: the path is read in the learner's own.
    assert client.get(reverse("insight-registry", kwargs={"key": "jonah/hello:1.0"})).status_code == 404
    assert not [tag for image in engine.api.images() for tag in image.get("RepoTags") or []
                if tag.startswith("layerlab-attempt:insight-")]
