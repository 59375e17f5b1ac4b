"""The build cache: a learner's layers outlive their attempt, identical steps share them, concurrent builds never
lose a layer they are reusing, and the sweep prunes the least recently used beyond a budget."""
import threading
import time

import pytest

from engine.cacheguard import CacheGuard
from engine.engine import ATTEMPT_REPOSITORY, CACHE_REPOSITORY, LABEL_ROLE, progress
from tests.conftest import BASES

pytestmark = pytest.mark.engine

APP = b"FROM layerlab/busybox\nWORKDIR /app\nCOPY app.sh .\nRUN echo built-once > stamp\nCMD [\"sh\", \"app.sh\"]\n"
MULTI_STAGE = (b"FROM layerlab/busybox AS builder\nRUN echo compiled > /artifact\n"
               b"FROM layerlab/busybox\nCOPY --from=builder /artifact /artifact\nCMD [\"cat\", \"/artifact\"]\n")


def cache_entries(engine) -> set[str]:
    return {tag for image in engine.api.images(name=CACHE_REPOSITORY) for tag in image["RepoTags"]}


def test_a_second_identical_build_after_the_first_was_discarded_is_cached(engine):
    files = {"Dockerfile": APP, "app.sh": b"cat stamp\n"}
    _, first = engine.build(files)
    engine.discard(first)
    assert not engine.image_exists(first.image)
    _, second = engine.build(files)
    assert [step.cached for step in second.steps] == [False, True, True, True, True]
    _, run = engine.run(second.image)
    assert run.stdout == "built-once\n"


def test_every_stage_of_a_multi_stage_build_is_kept_as_cache(engine):
    _, first = engine.build({"Dockerfile": MULTI_STAGE})
    engine.discard(first)
    assert len(cache_entries(engine)) == 2
    _, second = engine.build({"Dockerfile": MULTI_STAGE})
    assert [step.cached for step in second.steps] == [False, True, False, True, True]


def test_discarding_removes_only_the_attempt_tag(engine):
    result = engine.build_ok("FROM layerlab/busybox\nRUN echo mine > /f\n")
    entries = cache_entries(engine)
    engine.discard(result)
    assert not engine.api.images(name=ATTEMPT_REPOSITORY)
    assert cache_entries(engine) == entries and entries


def test_concurrent_identical_builds_and_a_prune_racing_them_never_lose_a_layer(real_engine):
    """Learners submitting the same solution at once, each discarding as it ends, while the sweep prunes the
    whole cache again and again: every build must succeed."""
    files = {"Dockerfile": APP, "app.sh": b"cat stamp\n"}
    outcomes: list[str] = []
    racing = threading.Event()

    def learner():
        for _ in range(3):
            result = yield_result(real_engine.build(files, allowed_bases=BASES))
            outcomes.append(result.outcome.message())
            real_engine.discard(result)

    def sweeper():
        while not racing.is_set():
            real_engine.prune_cache(0, leftovers_older_than=0)

    prune = threading.Thread(target=sweeper)
    prune.start()
    learners = [threading.Thread(target=learner) for _ in range(6)]
    for thread in learners:
        thread.start()
    for thread in learners:
        thread.join()
    racing.set()
    prune.join()
    real_engine.prune_cache(0, leftovers_older_than=0)
    assert outcomes == ["Finished."] * 18


def test_the_prune_removes_the_least_recently_used_entry_first(engine):
    older = engine.build_ok("FROM layerlab/busybox\nRUN head -c 300000 /dev/zero > /older\n")
    time.sleep(1.1)  # tag times are kept to the second and beyond
    newer = engine.build_ok("FROM layerlab/busybox\nRUN head -c 300000 /dev/zero > /newer\n")
    time.sleep(1.1)
    engine.discard(older)
    engine.discard(newer)
    reused = engine.build_ok("FROM layerlab/busybox\nRUN head -c 300000 /dev/zero > /older\n")  # tags it again
    older_layer = engine.inspect_raw(reused.image)["Parent"]  # the image below the sandbox's own LABEL step
    engine.discard(reused)
    older_entry = f"{CACHE_REPOSITORY}:{older_layer.removeprefix('sha256:')[:12]}"
    report = engine.prune_cache(350_000, leftovers_older_than=3600)
    assert report.images == 1
    assert cache_entries(engine) == {older_entry}


def test_a_zero_budget_empties_the_cache_and_keeps_the_base_images(engine):
    engine.discard(engine.build_ok("FROM layerlab/busybox\nRUN echo gone > /f\n"))
    engine.prune_cache(0, leftovers_older_than=0)
    assert not cache_entries(engine)
    left = [image for image in engine.api.images(all=True, filters={"label": LABEL_ROLE})
            if not any(tag.startswith("layerlab/") for tag in image.get("RepoTags") or [])]
    assert not left
    assert engine.image_exists("layerlab/busybox")


def test_the_prune_waits_for_a_running_build_and_gives_up_in_time(engine):
    engine.discard(engine.build_ok("FROM layerlab/busybox\nRUN echo kept > /f\n"))
    entries = cache_entries(engine)
    with engine.cache_guard.building():
        started = time.monotonic()
        report = engine.prune_cache(0, leftovers_older_than=0, wait=0.3)
        waited = time.monotonic() - started
    assert report.images == 0 and cache_entries(engine) == entries
    assert 0.3 <= waited < 2


def test_a_prune_waiting_for_the_cache_holds_new_builds_back(tmp_path):
    guard = CacheGuard(tmp_path)
    order: list[str] = []
    with guard.building():
        pruner = threading.Thread(target=lambda: _prune(guard, order))
        pruner.start()
        time.sleep(0.2)  # the prune now waits at the gate's far side
        newcomer = threading.Thread(target=lambda: _build(guard, order))
        newcomer.start()
        time.sleep(0.2)
        order.append("first build ends")
    pruner.join()
    newcomer.join()
    assert order == ["first build ends", "prune", "second build"]


def _prune(guard: CacheGuard, order: list[str]) -> None:
    with guard.pruning(wait=5):
        order.append("prune")


def _build(guard: CacheGuard, order: list[str]) -> None:
    with guard.building():
        order.append("second build")


def yield_result(stream):
    result = None

    def drain():
        nonlocal result
        result = yield from progress(stream)

    for _ in drain():
        pass
    return result


def test_a_zero_budget_also_removes_entries_that_add_no_bytes(engine):
    engine.discard(engine.build_ok("FROM layerlab/busybox\nENV GREETING=hello\nCMD [\"env\"]\n"))
    assert cache_entries(engine)
    engine.prune_cache(0, leftovers_older_than=0)
    assert not cache_entries(engine)
