"""Why the cache missed, told in the build stream of a real rebuild after the learner's previous build."""
import threading

import pytest
from django.contrib.auth.models import User

from attempts import jobs, leases
from course.models import Exercise

pytestmark = [pytest.mark.engine, pytest.mark.django_db]

DOCKERFILE = """FROM layerlab/python
WORKDIR /app
ENV GREETING=hi
COPY app.py .
RUN echo built > /app/built
CMD ["python3", "app.py"]
"""
FILES = {"Dockerfile": DOCKERFILE, "app.py": "print('hi')\n"}


def build(real_engine, user, files, executable=None):
    attempt = jobs.submit(user, Exercise.objects.get(slug="first-dockerfile"), "try", files, executable=executable)
    jobs.run_attempt(real_engine, leases.claim_next("test:1"), threading.Event())
    return [event.data for event in attempt.events.all()]


def cache_misses(events):
    return [event for event in events if event["type"] == "cache_miss"]


@pytest.fixture
def learner(course, engine):  # `engine`: the cache the builds leave is emptied after the test
    return User.objects.create_user("ada")


def rebuild_miss(real_engine, learner, **changed):
    assert cache_misses(build(real_engine, learner, FILES)) == []  # nothing to compare a first build with
    events = build(real_engine, learner, {**FILES, **changed})
    misses = cache_misses(events)
    assert len(misses) == 1
    finished = [event for event in events if event["type"] == "step_finished"]
    assert misses[0]["step"] == next(event["step"] for event in finished if not event["cached"] and event["step"] > 1)
    return misses[0]


@pytest.mark.usefixtures("engine")
def test_a_changed_copied_file_is_named_with_both_digests_and_an_order_that_keeps_the_cache(real_engine, learner):
    miss = rebuild_miss(real_engine, learner, **{"app.py": "print('hello')\n"})
    assert (miss["reason"], miss["line"], miss["instruction"]) == ("files", 4, "COPY app.py .")
    [changed] = miss["files"]
    assert changed["path"] == "app.py" and changed["old"] != changed["new"] and changed["new"].startswith("sha256:")
    assert miss["suggestion"][3:5] == ["RUN echo built > /app/built", "COPY app.py ."]
    assert "app.py" in miss["message"]["en"]


@pytest.mark.usefixtures("engine")
def test_a_changed_instruction_is_shown_beside_the_previous_one(real_engine, learner):
    miss = rebuild_miss(real_engine, learner, Dockerfile=DOCKERFILE.replace("echo built", "echo made"))
    assert (miss["reason"], miss["step"], miss["previous"]) == ("instruction", 5, "RUN echo built > /app/built")


@pytest.mark.usefixtures("engine")
def test_a_changed_env_value_names_the_variable(real_engine, learner):
    miss = rebuild_miss(real_engine, learner, Dockerfile=DOCKERFILE.replace("GREETING=hi", "GREETING=hello"))
    assert (miss["reason"], miss["step"]) == ("variables", 3)
    assert miss["variables"] == [{"name": "GREETING", "old": "hi", "new": "hello"}]
    assert miss["suggestion"][2:5] == ["COPY app.py .", "RUN echo built > /app/built", "ENV GREETING=hello"]


def test_a_step_that_did_not_change_missed_because_its_layer_was_pruned(real_engine, learner, engine):
    assert cache_misses(build(real_engine, learner, FILES)) == []
    engine.prune_cache(0, leftovers_older_than=0)
    [miss] = cache_misses(build(real_engine, learner, FILES))
    assert (miss["reason"], miss["step"]) == ("unchanged", 2)


@pytest.mark.usefixtures("engine")
def test_a_copied_file_made_executable_misses_the_cache_and_is_named_with_its_modes(real_engine, learner):
    assert cache_misses(build(real_engine, learner, FILES)) == []
    events = build(real_engine, learner, FILES, executable=["app.py"])
    [miss] = cache_misses(events)
    assert (miss["reason"], miss["instruction"]) == ("files", "COPY app.py .")
    [changed] = miss["files"]
    assert (changed["path"], changed["old_mode"], changed["new_mode"]) == ("app.py", "0644", "0755")
    assert changed["old"] == changed["new"]
