"""The account page lists the learner's images in the course registry and deletes them, freeing their quota;
nobody can delete another learner's image."""
import pytest
from django.test import Client

from registry import registry

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]


@pytest.fixture
def published(cli, stack, learner, registry_settings):
    """Victor's hello image under the tags 1.0 and latest, pushed with the real CLI."""
    user = learner("victor")
    cli("login", stack["registry"], "-u", "victor", "-p", "victor-site-password", check=True)
    for tag in ("1.0", "latest"):
        cli("tag", "layerlab/busybox", f"{stack['registry']}/victor/hello:{tag}", check=True)
    cli("push", "--all-tags", f"{stack['registry']}/victor/hello", check=True)
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_account_page_lists_each_image_once_with_its_tags(published):
    page = logged_in(published).get("/accounts/profile/").content.decode()
    assert page.count("<code>victor/hello</code>") == 1
    assert "<code>1.0</code> <code>latest</code>" in page
    [image] = registry.RegistryClient().images("victor")
    assert image.tags == ("1.0", "latest") and image.size > 0


def test_deleting_an_image_removes_all_its_tags_and_frees_the_quota(published):
    [image] = registry.RegistryClient().images("victor")
    assert registry.namespace_usage("victor") > 0
    response = logged_in(published).post("/accounts/profile/images/delete/",
                                         {"repository": image.repository, "digest": image.digest}, follow=True)
    assert "Deleted victor/hello@" in response.content.decode()
    assert registry.RegistryClient().images("victor") == []
    assert registry.namespace_usage("victor") == 0


def test_nobody_deletes_another_learners_image(published, learner):
    [image] = registry.RegistryClient().images("victor")
    mallet = learner("mallet")
    response = logged_in(mallet).post("/accounts/profile/images/delete/",
                                      {"repository": image.repository, "digest": image.digest})
    assert response.status_code == 404
    assert registry.RegistryClient().images("victor") == [image]
    anonymous = Client().post("/accounts/profile/images/delete/",
                              {"repository": image.repository, "digest": image.digest})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_page_says_so_when_the_registry_does_not_answer(learner, registry_settings):
    registry_settings.REGISTRY_HOST = "127.0.0.1:9"
    page = logged_in(learner("wanda")).get("/accounts/profile/").content.decode()
    assert "The course registry is not answering right now" in page
