"""Where a publish may go: Docker's reference grammar, checked before anything is queued."""
import pytest

from registry.publishing import BadDestination, Destination


@pytest.mark.parametrize("repository, tags", [
    ("hello", ["1.0"]), ("tools/hello", "1.0 latest"), ("my-app", ["v1_2.3"]), ("a__b", ["LATEST"]),
])
def test_names_docker_accepts_are_accepted(repository, tags):
    destination = Destination.parse("ada", repository, tags)
    assert destination.repository == repository and destination.tags


def test_repeated_tags_count_once_in_their_order():
    assert Destination.parse("ada", "hello", "1.0 latest 1.0").tags == ("1.0", "latest")


@pytest.mark.parametrize("namespace, repository, tags, words", [
    ("ada", "Hello", ["1.0"], "lower-case letters and digits"),
    ("ada", "hello/", ["1.0"], "lower-case letters and digits"),
    ("ada", "hello", [".hidden"], "not a valid tag"),
    ("ada", "hello", ["x" * 129], "not a valid tag"),
    ("ada", "hello", [], "at least one tag"),
    ("ada", "hello", [1], "at least one tag"),
    ("ada", "x" * 250, ["1.0"], "too long"),
    ("Ada.Lovelace", "hello", ["1.0"], "cannot name a registry namespace"),
    ("library", "hello", ["1.0"], "not a name kept for the registry"),
])
def test_names_docker_refuses_are_refused_in_both_languages(namespace, repository, tags, words):
    with pytest.raises(BadDestination) as raised:
        Destination.parse(namespace, repository, tags)
    assert words in raised.value.message["en"] and raised.value.message["zh-hans"]
