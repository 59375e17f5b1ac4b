"""Where a publish may go: Docker's reference grammar, checked before anything is queued."""
import pytest

from registry.publishing import BadDestination, Destination


@pytest.mark.parametrize("repository, tags, expected_tags", [
    ("hello", ["1.0"], ("1.0",)),
    ("tools/hello", "1.0 latest", ("1.0", "latest")),
    ("my-app", ["v1_2.3"], ("v1_2.3",)),
    ("a__b", ["LATEST"], ("LATEST",)),
])
def test_names_docker_accepts_are_accepted(repository, tags, expected_tags):
    assert Destination.parse("ada", repository, tags) == Destination(repository, expected_tags)


def test_repeated_tags_count_once_in_their_order():
    assert Destination.parse("ada", "hello", "1.0 latest 1.0").tags == ("1.0", "latest")


@pytest.mark.parametrize("namespace, repository, tags, english, chinese", [
    ("ada", "Hello", ["1.0"], "lower-case letters and digits", "仓库名由小写字母和数字组成"),
    ("ada", "hello/", ["1.0"], "lower-case letters and digits", "仓库名由小写字母和数字组成"),
    ("ada", "hello", [".hidden"], "'.hidden' is not a valid tag", "'.hidden' 不是有效的标签"),
    ("ada", "hello", ["x" * 129], f"'{'x' * 129}' is not a valid tag", "不是有效的标签"),
    ("ada", "hello", [], "at least one tag", "请至少给出一个标签"),
    ("ada", "hello", [1], "at least one tag", "请至少给出一个标签"),
    ("ada", "x" * 250, ["1.0"], "That repository name is too long.", "仓库名太长了。"),
    ("Ada.Lovelace", "hello", ["1.0"], "'Ada.Lovelace' cannot name a registry namespace", "'Ada.Lovelace' 不能用作"),
    ("library", "hello", ["1.0"], "'library' cannot name a registry namespace", "'library' 不能用作"),
])
def test_names_docker_refuses_are_refused_in_both_languages(namespace, repository, tags, english, chinese):
    with pytest.raises(BadDestination) as raised:
        Destination.parse(namespace, repository, tags)
    assert english in raised.value.message["en"]
    assert chinese in raised.value.message["zh-hans"]
