"""The fault suite's set-up: two engines (the tests' own and one started here), a worker process on each, Daphne
with no workers, all on PostgreSQL and Redis. scripts/test runs it with `export $(scripts/services env)`."""
from collections.abc import Iterator

import pytest

from engine.engine import Engine
from tests.conftest import _assert_nothing_left
from tests.faults.cluster import ExtraEngine, Site, workers_on
from tests.sockets import session_cookie


@pytest.fixture(scope="session")
def extra_engine(real_engine: Engine) -> Iterator[ExtraEngine]:
    extra = ExtraEngine(real_engine, "f2")
    engine = extra.start()
    try:
        yield extra
        _assert_nothing_left(Engine(extra.docker_host, engine.limits))
    finally:
        extra.stop()


@pytest.fixture
def engines(real_engine: Engine, extra_engine: ExtraEngine) -> list[str]:
    return [real_engine.docker_host, extra_engine.docker_host]


@pytest.fixture
def workers(course, engines, tmp_path):
    """One `sandbox_worker` process per engine."""
    with workers_on(engines, tmp_path) as started:
        yield started


@pytest.fixture
def site(course, engines, tmp_path) -> Iterator[Site]:
    daphne = Site(engines[0], tmp_path / "daphne.log").start()
    try:
        yield daphne
    finally:
        daphne.stop()


@pytest.fixture
def cookie(course) -> str:
    return session_cookie("ada").decode()
