"""Publish from the browser's side: the websocket's publish message, the publish attempt on a worker, push progress
and digests as events, and every way a publish is refused."""
import asyncio

import pytest
from django.conf import settings

from attempts.models import Attempt
from registry import registry
from tests.sockets import connect, frames_until, running_workers

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.engine]
HELLO = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "hello"]\n'}


@pytest.fixture
def workers(real_engine, course, registry_settings):
    with running_workers(real_engine, size=1) as pool:
        yield pool


async def successful_try(communicator) -> int:
    await communicator.send_json_to({"type": "try", "exercise": "push-private-registry", "files": HELLO})
    frames = await frames_until(communicator, "result")
    assert frames[-1]["outcome"]["kind"] == "ok"
    return frames[-1]["attempt"]


async def test_publish_pushes_every_tag_as_one_digest_with_progress(workers):
    communicator = await connect("wendy")
    source = await successful_try(communicator)
    await communicator.send_json_to({"type": "publish", "attempt": source, "repository": "hello",
                                     "tags": "1.0 latest"})
    frames = await frames_until(communicator, "result")
    accepted = frames[0]
    assert accepted["type"] == "accepted" and accepted["kind"] == "publish"
    assert frames[-1]["status"] == "finished" and frames[-1]["outcome"]["kind"] == "ok", frames[-1]
    assert any(f["type"] == "push" and f["status"] in ("Pushed", "Layer already exists") for f in frames)
    published = [f for f in frames if f["type"] == "published"]
    host = settings.REGISTRY_HOST
    assert [f["reference"] for f in published] == [f"{host}/wendy/hello:1.0", f"{host}/wendy/hello:latest"]
    assert published[0]["digest"] == published[1]["digest"]
    client = registry.RegistryClient()
    assert await asyncio.to_thread(client.digest, "wendy/hello", "latest") == published[0]["digest"]
    stored = await asyncio.to_thread(lambda: Attempt.objects.get(id=accepted["attempt"]))
    assert stored.kind == "publish" and stored.target == {"source": source, "repository": "hello",
                                                          "tags": ["1.0", "latest"]}
    await communicator.disconnect()


@pytest.mark.parametrize("repository, tags, words", [
    ("Hello", "1.0", "lower-case"),
    ("hello", "-1.0", "not a valid tag"),
    ("hello", "", "at least one tag"),
    ("hello", "a b c d e f", "At most 5 tags"),
])
async def test_names_outside_the_reference_grammar_are_refused(workers, repository, tags, words):
    communicator = await connect("xavier")
    source = await successful_try(communicator)
    await communicator.send_json_to({"type": "publish", "attempt": source, "repository": repository, "tags": tags})
    frame = await communicator.receive_json_from(timeout=10)
    assert frame["type"] == "error" and frame["code"] == "bad_request"
    assert words in frame["message"]["en"] and frame["message"]["zh-hans"]
    await communicator.disconnect()


async def test_only_ones_own_successful_attempts_can_be_published(workers):
    owner = await connect("yvonne")
    source = await successful_try(owner)
    stranger = await connect("zach")
    await stranger.send_json_to({"type": "publish", "attempt": source, "repository": "hello", "tags": ["1.0"]})
    assert (await stranger.receive_json_from(timeout=10))["code"] == "not_found"
    await owner.send_json_to({"type": "try", "exercise": "push-private-registry",
                              "files": {"Dockerfile": "FROM layerlab/busybox\nRUN false\n"}})
    failed = (await frames_until(owner, "result"))[-1]["attempt"]
    await owner.send_json_to({"type": "publish", "attempt": failed, "repository": "hello", "tags": ["1.0"]})
    assert (await owner.receive_json_from(timeout=10))["code"] == "not_publishable"
    await owner.disconnect()
    await stranger.disconnect()


async def test_a_full_namespace_is_refused_before_anything_is_built(workers, registry_settings):
    registry_settings.REGISTRY_QUOTA_MB = 0
    communicator = await connect("quinn")
    source = await successful_try(communicator)
    await communicator.send_json_to({"type": "publish", "attempt": source, "repository": "hello", "tags": ["1.0"]})
    frames = await frames_until(communicator, "result")
    assert "build_step" not in [f["type"] for f in frames]
    assert frames[-1]["outcome"]["kind"] == "registry_quota"
    assert "registry space is full" in frames[-1]["outcome"]["message"]["en"]
    assert "空间已满" in frames[-1]["outcome"]["message"]["zh-hans"]
    await communicator.disconnect()


async def test_a_registry_that_is_down_fails_the_publish_as_the_infrastructures_fault(workers, registry_settings):
    registry_settings.REGISTRY_HOST = "127.0.0.1:9"
    communicator = await connect("ursula")
    source = await successful_try(communicator)
    await communicator.send_json_to({"type": "publish", "attempt": source, "repository": "hello", "tags": ["1.0"]})
    frames = await frames_until(communicator, "result")
    assert frames[-1]["status"] == "failed" and frames[-1]["outcome"]["kind"] == "registry_unavailable"
    await communicator.disconnect()


async def test_an_image_pushed_with_the_cli_is_what_submit_grades(workers, cli, learner, tmp_path):
    await asyncio.to_thread(learner, "trent")
    context = tmp_path / "hello"
    context.mkdir()
    (context / "Dockerfile").write_text(HELLO["Dockerfile"])
    reference = registry.reference("trent", "hello", "1.0")
    await asyncio.to_thread(cli, "build", "-t", reference, str(context), check=True)
    await asyncio.to_thread(cli, "login", settings.REGISTRY_HOST, "-u", "trent", "-p", "trent-site-password",
                            check=True)
    await asyncio.to_thread(cli, "push", reference, check=True)
    await asyncio.to_thread(cli, "rmi", reference, check=True)  # as if pushed from another machine
    communicator = await connect("trent")
    # The editor's Dockerfile does not matter: the grader judges what the registry holds.
    await communicator.send_json_to({"type": "submit", "exercise": "push-private-registry",
                                     "files": {"Dockerfile": "FROM layerlab/busybox\n"}})
    frames = await frames_until(communicator, "result")
    assert "build_step" not in [f["type"] for f in frames]
    assert any(f["type"] == "pull" for f in frames)
    checks = {f["id"]: f for f in frames if f["type"] == "check"}
    assert checks["published"]["passed"] and checks["prints-hello"]["passed"], checks
    assert frames[-1]["passed"] is True
    await communicator.disconnect()


async def test_a_submit_before_publishing_says_to_publish_first(workers):
    communicator = await connect("uma")
    await communicator.send_json_to({"type": "submit", "exercise": "push-private-registry", "files": HELLO})
    result = (await frames_until(communicator, "result"))[-1]
    assert result["outcome"]["kind"] == "not_published" and result["passed"] is False
    assert f"{settings.REGISTRY_HOST}/uma/hello:1.0" in result["outcome"]["message"]["en"]
    await communicator.disconnect()
