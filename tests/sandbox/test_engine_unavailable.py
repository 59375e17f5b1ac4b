"""When the engine cannot be reached, every path says so plainly: no stack trace, no lost work."""
from io import StringIO

import pytest
import requests
from django.core.management import CommandError, call_command

from engine.engine import Engine
from engine.outcomes import OutcomeKind

NOWHERE = "unix:///nonexistent/layerlab/docker.sock"
FILES = {"Dockerfile": b"FROM layerlab/busybox\n"}


def test_a_build_ends_with_engine_unavailable():
    events = list(Engine(NOWHERE).build(FILES, allowed_bases=["layerlab/busybox"]))
    assert len(events) == 1
    assert events[0].outcome.kind is OutcomeKind.ENGINE_UNAVAILABLE
    assert "try again" in events[0].outcome.message()
    assert "稍后再试" in events[0].outcome.message("zh-hans")


def test_a_run_ends_with_engine_unavailable():
    (result,) = list(Engine(NOWHERE).run("layerlab/busybox", ["true"]))
    assert result.outcome.kind is OutcomeKind.ENGINE_UNAVAILABLE
    assert result.outcome.phase == "run"


def test_rejected_input_is_rejected_without_asking_the_engine():
    (result,) = list(Engine(NOWHERE).build({"Dockerfile": b"FROM ubuntu\n"}, allowed_bases=["layerlab/busybox"]))
    assert result.outcome.kind is OutcomeKind.REJECTED


@pytest.mark.engine
def test_an_engine_lost_after_the_container_was_created_still_removes_it(real_engine, monkeypatch):
    engine = Engine(real_engine.docker_host, real_engine.limits)

    def lost(*args, **kwargs):
        raise requests.ConnectionError("connection reset by peer")

    monkeypatch.setattr(engine.api, "start", lost)
    (result,) = list(engine.run("layerlab/busybox", ["true"]))
    assert result.outcome.kind is OutcomeKind.ENGINE_UNAVAILABLE
    assert engine.api.containers(all=True, filters={"ancestor": "layerlab/busybox"}) == []


def test_sandbox_check_fails_with_a_clear_message(settings):
    settings.SANDBOX_DOCKER_HOST = NOWHERE
    with pytest.raises(CommandError) as raised:
        call_command("sandbox_check", stdout=StringIO())
    assert "not reachable" in str(raised.value)
    assert "scripts/sandbox-engine start" in str(raised.value)


@pytest.mark.django_db
def test_the_home_page_says_the_build_server_is_down(client, settings):
    settings.SANDBOX_DOCKER_HOST = NOWHERE
    response = client.get("/")
    assert response.status_code == 200
    assert "build server is not available" in response.content.decode()


def test_the_status_endpoint_answers_503(client, settings):
    settings.SANDBOX_DOCKER_HOST = NOWHERE
    response = client.get("/sandbox/status")
    assert response.status_code == 503
    assert response.json() == {"available": False, "version": ""}


@pytest.mark.engine
def test_a_missing_base_image_is_never_pulled(real_engine):
    files = {"Dockerfile": b"FROM layerlab/not-built-here\nRUN echo hi\n"}
    events = list(real_engine.build(files, allowed_bases=["layerlab/not-built-here"]))
    assert [type(event).__name__ for event in events] == ["BuildResult"]
    assert events[0].outcome.kind is OutcomeKind.ENGINE_UNAVAILABLE
    assert not real_engine.image_exists("layerlab/not-built-here")
