"""Fixtures of the sandbox tests."""
import pytest

from tests.sockets import running_workers


@pytest.fixture
def one_worker(real_engine, course):
    """One worker thread in this process, on an engine like the tests' own: attempts run one at a time."""
    with running_workers(real_engine, size=1) as pool:
        yield pool
