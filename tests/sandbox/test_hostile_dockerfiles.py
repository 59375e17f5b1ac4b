"""Dockerfiles that try to make the daemon fetch a URL or read another learner's image, sent as a learner sends
them: each ends `rejected` with its rule's message, and the loopback server standing in for the course site (or a
metadata service) is never connected to."""
import pytest

from engine.outcomes import OutcomeKind
from tests.sandbox.test_hostile import course_server  # noqa: F401 (a fixture)
from tests.sockets import connect, frames_until, running_workers

pytestmark = pytest.mark.engine

EXERCISE = "run-vs-cmd"  # graded from a build, FROM layerlab/busybox

# (Dockerfile with {url} for the loopback server, the rule that refuses it, the line it names)
FETCHING = {
    "onbuild-add": ("FROM layerlab/busybox\nONBUILD ADD {url} /s\n", "onbuild", 2),
    "json-escaped-slashes": ('FROM layerlab/busybox\nADD ["{escaped}", "/s"]\n', "add-url", 2),
    "json-unicode-escape": ('FROM layerlab/busybox\nADD ["\\u0068{rest}", "/s"]\n', "add-url", 2),
    "json-then-text": ('FROM layerlab/busybox\nADD ["{url}", "/s"] /ignored\n', "add-url", 2),
    "escape-directive-split": ("# escape=`\nFROM layerlab/busybox\nADD {head}`\n{tail} /s\n", "add-url", 3),
    "lower-case-keyword": ("FROM layerlab/busybox\nadd {url} /s\n", "add-url", 2),
    "quoted-flag-first": ('FROM layerlab/busybox\nADD --chown="a b" {url} /s\n', "add-url", 2),
    "quotes-inside-the-url": ('FROM layerlab/busybox\nADD http:"//"{hostport}/secret /s\n', "add-url", 2),
    "variable": ("FROM layerlab/busybox\nARG SRC={url}\nADD $SRC /s\n", "unverifiable-variable", 3),
    "escaped-backslash-then-add": ("FROM layerlab/busybox\nRUN echo \\\\\nADD {url} /s\n", "add-url", 3),
    "heredoc": ("FROM layerlab/busybox\nRUN <<EOF\nADD {url} /s\nEOF\n", "heredoc", 2),
}


def fetching(name: str, port: int) -> tuple[str, str, int]:
    text, rule, line = FETCHING[name]
    url = f"http://127.0.0.1:{port}/secret"
    dockerfile = text.format(url=url, escaped=url.replace("/", "\\/"), rest=url[1:], head=url[:6], tail=url[6:],
                             hostport=f"127.0.0.1:{port}")
    return dockerfile, rule, line


@pytest.fixture
def other_learners_image(engine):
    """An attempt image of someone else, holding a secret."""
    return engine.build_ok("FROM layerlab/busybox\nRUN echo s3cret > /secret\n").image


def reading(image: str) -> dict[str, tuple[str, str, int]]:
    later_stage = "FROM layerlab/busybox AS mine\nRUN true\nFROM layerlab/busybox\n"
    return {
        "quoted-chown-before-from": (f'{later_stage}COPY --chown="a b" --from={image} /secret /s\n',
                                     "copy-from-image", 4),
        "quoted-from": (f'{later_stage}COPY --"from"="{image}" /secret /s\n', "copy-from-image", 4),
        "upper-case-flag": (f"{later_stage}COPY --FROM={image} /secret /s\n", "instruction-flag", 4),
        "onbuild-copy": (f"FROM layerlab/busybox\nONBUILD COPY --from={image} /secret /s\n", "onbuild", 2),
        "run-mount": (f"FROM layerlab/busybox\nRUN --mount=from={image},target=/o cat /o/secret\n", "run-flag", 2),
        "from": (f"FROM {image}\n", "from-not-allowed", 1),
    }


@pytest.mark.parametrize("name", sorted(FETCHING))
def test_the_engine_refuses_every_way_to_fetch_a_url_before_the_daemon_does(engine, course_server, name):  # noqa: F811
    port, accepted = course_server
    dockerfile, rule, line = fetching(name, port)
    _, result = engine.build({"Dockerfile": dockerfile.encode()})
    assert result.outcome.kind is OutcomeKind.REJECTED
    assert (result.outcome.rejection.rule, result.outcome.detail["line"]) == (rule, line)
    assert result.image is None
    assert accepted == []


@pytest.mark.parametrize("name", ["quoted-chown-before-from", "quoted-from", "upper-case-flag", "onbuild-copy",
                                  "run-mount", "from"])
def test_the_engine_refuses_every_way_to_read_another_learners_image(engine, other_learners_image, name):
    dockerfile, rule, line = reading(other_learners_image)[name]
    _, result = engine.build({"Dockerfile": dockerfile.encode()})
    assert result.outcome.kind is OutcomeKind.REJECTED
    assert (result.outcome.rejection.rule, result.outcome.detail["line"]) == (rule, line)
    assert "s3cret" not in result.log


# -- through the websocket, as a learner submits


@pytest.fixture
def workers(real_engine, course):
    with running_workers(real_engine, size=2) as pool:
        yield pool


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["onbuild-add", "json-escaped-slashes", "escape-directive-split", "variable",
                                  "heredoc"])
async def test_a_submit_that_would_fetch_a_url_ends_rejected_and_fetches_nothing(workers, course_server,  # noqa: F811
                                                                                name):
    port, accepted = course_server
    dockerfile, rule, line = fetching(name, port)
    communicator = await connect()
    await communicator.send_json_to({"type": "submit", "exercise": EXERCISE, "files": {"Dockerfile": dockerfile}})
    result = (await frames_until(communicator, "result"))[-1]
    await communicator.disconnect()
    outcome = result["outcome"]
    assert (result["status"], result["passed"]) == ("finished", False)
    assert (outcome["kind"], outcome["detail"]["rule"], outcome["detail"]["line"]) == ("rejected", rule, line)
    assert outcome["message"]["en"].startswith(f"Line {line}: ")
    assert outcome["message"]["zh-hans"].startswith(f"第 {line} 行：")
    assert accepted == []


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_submit_that_would_read_another_learners_image_ends_rejected(workers, other_learners_image):
    dockerfile, rule, line = reading(other_learners_image)["quoted-chown-before-from"]
    communicator = await connect()
    await communicator.send_json_to({"type": "submit", "exercise": EXERCISE, "files": {"Dockerfile": dockerfile}})
    frames = await frames_until(communicator, "result")
    await communicator.disconnect()
    outcome = frames[-1]["outcome"]
    assert (outcome["kind"], outcome["detail"]["rule"], outcome["detail"]["source"]) == (
        "rejected", rule, other_learners_image)
    assert not any("s3cret" in frame.get("text", "") for frame in frames)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", ["onbuild-add", "json-unicode-escape", "heredoc"])
async def test_lint_shows_the_same_refusal(course, course_server, name):  # noqa: F811
    port, _ = course_server
    dockerfile, rule, line = fetching(name, port)
    communicator = await connect()
    await communicator.send_json_to({"type": "lint", "exercise": EXERCISE, "files": {"Dockerfile": dockerfile}})
    frame = await communicator.receive_json_from(timeout=10)
    await communicator.disconnect()
    assert [(finding["code"], finding["line"], finding["level"]) for finding in frame["findings"]] == [
        (rule, line, "error")]
