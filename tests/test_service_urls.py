"""LAYERLAB_DATABASE_URL and LAYERLAB_REDIS_URL: read into Django's settings, refused with a message that names the
variable and never shows the password."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from layerlab.env import env_postgres_url, env_redis_url


def test_unset_means_the_embedded_set_up(monkeypatch):
    monkeypatch.delenv("LAYERLAB_DATABASE_URL", raising=False)
    monkeypatch.delenv("LAYERLAB_REDIS_URL", raising=False)
    assert env_postgres_url("LAYERLAB_DATABASE_URL") is None
    assert env_redis_url("LAYERLAB_REDIS_URL") is None


def test_a_database_url_becomes_djangos_settings(monkeypatch):
    monkeypatch.setenv("LAYERLAB_DATABASE_URL", "postgresql://lab%40x:p%2Fss@db.example:6543/layer_lab")
    assert env_postgres_url("LAYERLAB_DATABASE_URL") == {
        "NAME": "layer_lab", "USER": "lab@x", "PASSWORD": "p/ss", "HOST": "db.example", "PORT": "6543"}


def test_a_redis_url_is_kept_as_it_is(monkeypatch):
    monkeypatch.setenv("LAYERLAB_REDIS_URL", "redis://:secret@127.0.0.1:6380/2")
    assert env_redis_url("LAYERLAB_REDIS_URL") == "redis://:secret@127.0.0.1:6380/2"


@pytest.mark.parametrize(("reader", "value", "expected"), [
    (env_postgres_url, "mysql://u:hunter2@h/db", "must be a URL like postgres://"),
    (env_postgres_url, "postgres://u:hunter2@h:port/db", "port that is not a number"),
    (env_postgres_url, "postgres://u:hunter2@h:5432/", "must name a host and a database"),
    (env_postgres_url, "postgres:///db", "must name a host and a database"),
    (env_redis_url, "http://:hunter2@h:6379", "must be a URL like redis://"),
    (env_redis_url, "redis://:hunter2@h:6379/zero", "at most a database number"),
])
def test_a_bad_url_names_the_variable_and_hides_the_password(monkeypatch, reader, value, expected):
    monkeypatch.setenv("LAYERLAB_X", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        reader("LAYERLAB_X")
    assert "LAYERLAB_X" in str(raised.value) and expected in str(raised.value)
    assert "hunter2" not in str(raised.value)
