"""Malformed frames on the sandbox websocket, through the real consumer: each one is answered by an `error` frame
that says what is wrong, nothing is queued, and the socket stays open and usable. Hypothesis then sends arbitrary
frames to find what the lists miss, and a learner's undecodable output is shown to reach the page as text."""
import json
import re
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attempts.models import Attempt
from course.models import Exercise
from tests.sockets import connect, frames_until, running_workers

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

LINTED = "push-private-registry"  # any visible exercise: a lint builds nothing
DOCKERFILE = {"Dockerfile": "FROM layerlab/busybox\n"}
NOT_TEXT = "is not valid UTF-8 text, or holds a NUL character."
CHINESE = re.compile(r"[\u4e00-\u9fff]")


async def answer(communicator, sent: str | bytes) -> dict[str, Any]:
    """The frame the server answers one text (str) or binary (bytes) frame with: JSON text, never a close."""
    await communicator.send_input({"type": "websocket.receive", "text" if isinstance(sent, str) else "bytes": sent})
    output = await communicator.receive_output(timeout=10)  # raises what the consumer raised, if it did
    assert output["type"] == "websocket.send", output
    return json.loads(output["text"])


def assert_refused(frame: dict[str, Any], code: str, en: str) -> None:
    assert frame == {"type": "error", "code": code, "message": {"en": en, "zh-hans": frame["message"]["zh-hans"]}}
    assert CHINESE.search(frame["message"]["zh-hans"])


async def assert_still_answers(communicator) -> None:
    lint = {"type": "lint", "exercise": LINTED, "files": DOCKERFILE}
    assert (await answer(communicator, json.dumps(lint)))["type"] == "lint"


async def assert_each_refused(subtests, cases: list[tuple[str | bytes, str, str]]) -> None:
    """Send every case on one socket: each gets its error frame, the socket answers after each, nothing is queued."""
    attempts = await sync_to_async(Attempt.objects.count)()
    communicator = await connect()
    for sent, code, en in cases:
        with subtests.test(sent=sent[:120]):
            assert_refused(await answer(communicator, sent), code, en)
            await assert_still_answers(communicator)
    await communicator.disconnect()
    assert await sync_to_async(Attempt.objects.count)() == attempts


NESTED = "That JSON is nested too deeply."
NOT_JSON = "That was not JSON."
NOT_AN_OBJECT = "A frame must be one JSON object with a type."
UNKNOWN = "Unknown message type."


NOT_REQUESTS = [
    ("[" * 100_000, "bad_json", NESTED),
    ('{"a": ' * 40_000, "bad_json", NESTED),
    ("[" * 5_000 + "]" * 5_000, "bad_json", NESTED),  # well-formed, and still too deep
    ('{"type": "lint", "files": ' + '{"a": ' * 5_000 + "1" + "}" * 5_001, "bad_json", NESTED),
    ("", "bad_json", NOT_JSON),
    ("not json", "bad_json", NOT_JSON),
    ('{"type": "lint"', "bad_json", NOT_JSON),
    ('{"type": "subscribe", "attempt": ' + "9" * 5_000 + "}", "bad_json", "A number in it has too many digits."),
    ('{"type": "lint", "exercise": "\ud800"}', "bad_json", "Frames must be UTF-8 text."),  # a raw lone surrogate
    ("null", "bad_request", NOT_AN_OBJECT),
    ("[1, 2]", "bad_request", NOT_AN_OBJECT),
    ('"lint"', "bad_request", NOT_AN_OBJECT),
    ("1e999999", "bad_request", NOT_AN_OBJECT),
    ("{}", "unknown_type", UNKNOWN),
    ('{"type": null}', "unknown_type", UNKNOWN),
    ('{"type": ["lint"]}', "unknown_type", UNKNOWN),
    ('{"type": {"lint": 1}}', "unknown_type", UNKNOWN),
    ('{"type": "\\ud800"}', "unknown_type", UNKNOWN),
    ('{"type": "LINT"}', "unknown_type", UNKNOWN),
]


async def test_a_frame_that_is_not_a_request_is_refused(course, subtests):
    await assert_each_refused(subtests, NOT_REQUESTS)


async def test_a_binary_frame_that_is_not_utf8_is_refused(course, subtests):
    cases = [b"\xff\xfe{}", b'{"type": "lint\xed\xa0\x80"}', b'{"type": "\xc3"}']  # \xed\xa0\x80: CESU-8 surrogate
    await assert_each_refused(subtests, [(data, "bad_json", "Frames must be UTF-8 text.") for data in cases])


async def test_a_binary_frame_of_utf8_json_is_read_like_a_text_frame(course):
    communicator = await connect()
    lint = {"type": "lint", "exercise": LINTED, "files": DOCKERFILE}
    assert (await answer(communicator, json.dumps(lint).encode()))["type"] == "lint"
    await communicator.disconnect()


async def test_the_headline_cases_answer_in_both_languages(course):
    communicator = await connect()
    assert await answer(communicator, "[" * 100_000) == {
        "type": "error", "code": "bad_json",
        "message": {"en": "That JSON is nested too deeply.", "zh-hans": "这段 JSON 嵌套太深了。"}}
    files = {**DOCKERFILE, "\ud800.txt": "x"}
    assert await answer(communicator, json.dumps({"type": "submit", "exercise": LINTED, "files": files})) == {
        "type": "error", "code": "bad_request",
        "message": {"en": f"The file name '\\ud800.txt' {NOT_TEXT}",
                    "zh-hans": "文件名 '\\ud800.txt' 不是有效的 UTF-8 文本，或含有 NUL 字符。"}}
    await assert_still_answers(communicator)
    await communicator.disconnect()


EXERCISE_NOT_TEXT = "exercise must be text (valid UTF-8, no NUL characters)."
NOT_FILES = "files must map file names to text."


MALFORMED_FIELDS = [
    ({}, EXERCISE_NOT_TEXT),
    ({"exercise": None}, EXERCISE_NOT_TEXT),
    ({"exercise": 7}, EXERCISE_NOT_TEXT),
    ({"exercise": True}, EXERCISE_NOT_TEXT),
    ({"exercise": [LINTED]}, EXERCISE_NOT_TEXT),
    ({"exercise": {"slug": LINTED}}, EXERCISE_NOT_TEXT),
    ({"exercise": "\ud800"}, EXERCISE_NOT_TEXT),
    ({"exercise": "first\x00dockerfile"}, EXERCISE_NOT_TEXT),
    ({"exercise": LINTED}, NOT_FILES),
    ({"exercise": LINTED, "files": None}, NOT_FILES),
    ({"exercise": LINTED, "files": "FROM layerlab/busybox"}, NOT_FILES),
    ({"exercise": LINTED, "files": [["Dockerfile", "FROM layerlab/busybox"]]}, NOT_FILES),
    ({"exercise": LINTED, "files": {"Dockerfile": 1}}, NOT_FILES),
    ({"exercise": LINTED, "files": {"Dockerfile": None}}, NOT_FILES),
    ({"exercise": LINTED, "files": {"Dockerfile": {"text": "FROM layerlab/busybox"}}}, NOT_FILES),
    ({"exercise": LINTED, "files": {**DOCKERFILE, "\ud800": "x"}}, f"The file name '\\ud800' {NOT_TEXT}"),
    ({"exercise": LINTED, "files": {**DOCKERFILE, "app\udfff.py": "x"}}, f"The file name 'app\\udfff.py' {NOT_TEXT}"),
    ({"exercise": LINTED, "files": {**DOCKERFILE, "a\x00b": "x"}}, f"The file name 'a\\x00b' {NOT_TEXT}"),
    ({"exercise": LINTED, "files": {"Dockerfile": "FROM layerlab/busybox\n# \ud83d\n"}}, f"Dockerfile {NOT_TEXT}"),
    ({"exercise": LINTED, "files": {**DOCKERFILE, "app.py": "print(1)\x00"}}, f"app.py {NOT_TEXT}"),
    ({"exercise": LINTED, "files": {"app.py": "print(1)"}}, "There is no Dockerfile."),
    ({"exercise": LINTED, "files": {**DOCKERFILE, **{f"{n}.txt": "" for n in range(20)}}},
     "At most 20 files are allowed."),
    ({"exercise": LINTED, "files": {"Dockerfile": "#" * (64 * 1024 + 1)}}, "Dockerfile is larger than 64 KB."),
]


@pytest.mark.parametrize("kind", ["lint", "try", "submit"])
async def test_a_request_with_a_malformed_field_is_refused_and_queues_nothing(course, subtests, kind):
    await assert_each_refused(subtests, [(json.dumps({"type": kind, **fields}), "bad_request", en)
                                         for fields, en in MALFORMED_FIELDS])


ATTEMPT = "attempt must be a whole number, at least 1."
AFTER = "after must be a whole number, at least 0."
WRONG_NUMBERS = [None, "1", 1.0, 1.5, True, False, 0, -1, 2**63, 10**30, [1], {"id": 1}]


@pytest.mark.parametrize("kind", ["cancel", "subscribe", "publish"])
async def test_an_attempt_that_is_not_an_id_is_refused(course, subtests, kind):
    frames = [json.dumps({"type": kind, "attempt": attempt}) for attempt in WRONG_NUMBERS]
    frames += [f'{{"type": "{kind}", "attempt": 1e999999}}', f'{{"type": "{kind}", "attempt": NaN}}',
               f'{{"type": "{kind}"}}']
    await assert_each_refused(subtests, [(frame, "bad_request", ATTEMPT) for frame in frames])


@pytest.fixture
def finished_try(course) -> Attempt:
    """A try of ada's that built and ran: what a publish names."""
    return Attempt.objects.create(user=User.objects.get_or_create(username="ada")[0], kind=Attempt.Kind.TRY,
                                  exercise=Exercise.objects.get(slug=LINTED), status=Attempt.Status.FINISHED,
                                  outcome_kind="ok", files=DOCKERFILE)


async def test_an_after_that_is_not_a_seq_is_refused(finished_try, subtests):
    frames = [json.dumps({"type": "subscribe", "attempt": finished_try.id, "after": after})
              for after in [None, True, False, -1, 1.5, "3", 2**63, [0]]]
    await assert_each_refused(subtests, [(frame, "bad_request", AFTER) for frame in frames])


async def test_the_largest_ids_are_looked_up_not_refused(finished_try):
    communicator = await connect()
    for frame in ({"type": "cancel", "attempt": 2**63 - 1},
                  {"type": "subscribe", "attempt": 2**63 - 1, "after": 2**63 - 1}):
        assert_refused(await answer(communicator, json.dumps(frame)), "not_found", "There is no such attempt.")
    await communicator.send_json_to({"type": "subscribe", "attempt": finished_try.id, "after": 2**63 - 1})
    assert await communicator.receive_nothing(timeout=0.5)
    await assert_still_answers(communicator)
    await communicator.disconnect()


REPOSITORY = "A repository name is lower-case letters and digits, separated by '.', '_', '-' or '/' (e.g. hello)."
TAGS = "Give at least one tag, e.g. 1.0."


MALFORMED_DESTINATIONS = [
    ({"tags": "1.0"}, REPOSITORY),
    ({"repository": 5, "tags": "1.0"}, REPOSITORY),
    ({"repository": ["hello"], "tags": "1.0"}, REPOSITORY),
    ({"repository": "\ud800", "tags": "1.0"}, REPOSITORY),
    ({"repository": "hello\n", "tags": "1.0"}, REPOSITORY),  # a regular expression's $ matches before a last \n
    ({"repository": "hello"}, TAGS),
    ({"repository": "hello", "tags": []}, TAGS),
    ({"repository": "hello", "tags": [1]}, TAGS),
    ({"repository": "hello", "tags": [["1.0"]]}, TAGS),
    ({"repository": "hello", "tags": {"1.0": True}}, TAGS),
    ({"repository": "hello", "tags": ["1.0"] * 20_000}, "At most 5 tags at a time."),
    ({"repository": "hello", "tags": ["\ud800"]},
     "'\\ud800' is not a valid tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'."),
    ({"repository": "hello", "tags": ["1.0\n"]},
     "'1.0\\n' is not a valid tag: letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'."),
]


async def test_a_publish_with_a_malformed_destination_is_refused(finished_try, subtests):
    await assert_each_refused(subtests, [
        (json.dumps({"type": "publish", "attempt": finished_try.id, **fields}), "bad_request", en)
        for fields, en in MALFORMED_DESTINATIONS])


# ------------------------------------------------------------------------------------------------------ fuzzing

# Any character, with lone surrogates and NUL drawn often (among all code points they are rare).
ANY_TEXT = st.text(st.characters(exclude_categories=()) | st.sampled_from(["\ud800", "\udfff", "\x00"]), max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | ANY_TEXT
           | st.sampled_from(["Dockerfile", LINTED, "hello", "1.0", "lint"]))
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4), max_leaves=12)
CONTENTS = ANY_TEXT | st.just("FROM layerlab/busybox\nCMD echo hi\n")
FILES = st.dictionaries(st.sampled_from(["Dockerfile", "app.py"]) | ANY_TEXT, CONTENTS, max_size=3)


def frames(attempt: int) -> st.SearchStrategy[dict[str, Any]]:
    """Frames of every type with every field of the protocol, each well-formed or not, half of the time each (other
    types, and missing fields, are refused before the rest is read: the tables above try them)."""
    return st.fixed_dictionaries({
        "type": st.sampled_from(["lint", "try", "submit", "publish", "cancel", "subscribe"]),
        "exercise": st.just(LINTED) | JSON_VALUES, "files": FILES | JSON_VALUES,
        "attempt": st.just(attempt) | JSON_VALUES, "after": st.integers(0, 3) | JSON_VALUES,
        "repository": st.just("hello") | JSON_VALUES, "tags": st.lists(ANY_TEXT, max_size=7) | JSON_VALUES,
    })


PROTOCOL_TYPES = {"error", "lint", "accepted", "queued"}


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
async def test_no_frame_breaks_the_socket(finished_try, data):
    """Whatever arrives, the consumer answers with frames of the protocol, then answers the next frame."""
    frame = data.draw(frames(finished_try.id))
    # A probe nothing else is answered with: a tag no strategy draws. Frames are handled in order, so every frame
    # before its answer answers the frame under test.
    probe = {"type": "publish", "attempt": finished_try.id, "repository": "hello", "tags": ["!probe!"]}
    communicator = await connect()
    await communicator.send_to(text_data=json.dumps(frame))  # with NaN and Infinity as Python writes them
    await communicator.send_json_to(probe)
    answers = [await communicator.receive_json_from(timeout=10)]
    while "'!probe!'" not in answers[-1].get("message", {}).get("en", ""):
        answers.append(await communicator.receive_json_from(timeout=10))
    assert {answer["type"] for answer in answers} <= PROTOCOL_TYPES
    await communicator.disconnect()


# ------------------------------------------------------------------------------------------------ what is sent

UNDECODABLE = r"'\377\376 \355\240\200 end\n'"  # invalid UTF-8, then a surrogate as CESU-8 writes it


def strings_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.items() for s in strings_in(item)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings_in(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.engine
async def test_output_that_is_not_utf8_reaches_the_page_as_text(real_engine, course):
    files = {"Dockerfile": f"FROM layerlab/busybox\nRUN printf {UNDECODABLE}\nCMD printf {UNDECODABLE}\n"}
    with running_workers(real_engine, size=1):
        communicator = await connect()
        await communicator.send_json_to({"type": "try", "exercise": LINTED, "files": files})
        frames = await frames_until(communicator, "result")
        await communicator.disconnect()
    assert frames[-1]["outcome"]["kind"] == "ok"
    logs = [frame for frame in frames if frame["type"] == "log" and frame["text"].endswith(" end")]
    assert [frame["stream"] for frame in logs] == ["build", "stdout"]
    assert [frame["text"] for frame in logs] == ["\ufffd\ufffd \ufffd\ufffd\ufffd end"] * 2  # each bad byte replaced
    for text in strings_in(frames):
        text.encode("utf-8")  # no lone surrogate anywhere: the page can show every string
