"""Fixtures shared by the whole suite.

`engine` is the real sandbox engine (SANDBOX_DOCKER_HOST) with tight limits so that hostile tests end fast.
At the end of the session the suite fails if any sandbox container or attempt image is left on the engine.
"""
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command

from engine.engine import ATTEMPT_REPOSITORY, LABEL_ROLE, BuildResult, Engine, EngineUnavailable, RunResult
from engine.images import RECIPES
from engine.limits import SandboxLimits

TIGHT_LIMITS = SandboxLimits(
    build_timeout=20,
    run_timeout=5,
    memory_mb=128,
    pids=64,
    output_kb=64,
    build_disk_mb=64,
    file_size_mb=32,
    tmpfs_mb=16,
)
BASES = ["layerlab/busybox", "layerlab/python", "layerlab/golang"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the message catalogues when a .po is newer than its .mo (the .mo files are not committed), so that
    plain pytest works on a fresh clone."""
    catalogues = [path for directory in settings.LOCALE_PATHS for path in directory.glob("*/LC_MESSAGES/*.po")]
    if any(_stale(po, po.with_suffix(".mo")) for po in catalogues):
        call_command("compilemessages", ignore_patterns=[".venv", "var", "frontend"], verbosity=0)


def _stale(source, compiled) -> bool:
    return not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime


@pytest.fixture
def course(settings):
    """The course content loaded into the test database."""
    from course.sync import sync_course

    sync_course(settings.COURSE_CONTENT_DIR)


@pytest.fixture(scope="session")
def real_engine() -> Iterator[Engine]:
    engine = Engine(settings.SANDBOX_DOCKER_HOST, TIGHT_LIMITS)
    try:
        engine.version()
    except EngineUnavailable as error:
        pytest.fail(f"These tests need the sandbox engine (scripts/test starts it): {error}")
    missing = [recipe.name for recipe in RECIPES if not engine.image_exists(recipe.name)]
    if missing:
        pytest.fail(f"Base images missing: {missing}; run `python manage.py sandbox_images` (scripts/test does).")
    yield engine
    _assert_nothing_left(engine)


def _assert_nothing_left(engine: Engine) -> None:
    containers = engine.api.containers(all=True, filters={"label": LABEL_ROLE})
    volumes = engine.api.volumes().get("Volumes") or []
    attempt_tags = [tag for image in engine.api.images(name=ATTEMPT_REPOSITORY) for tag in image["RepoTags"]]
    # The build cache stays on purpose; emptied, it must leave nothing. Cache layers inherit the base image's
    # labels, so "all labelled images but the tagged bases" finds every layer a build made.
    engine.prune_cache(0, leftovers_older_than=0)
    images = [
        image for image in engine.api.images(all=True, filters={"label": LABEL_ROLE})
        if not any(tag.startswith("layerlab/") for tag in image.get("RepoTags") or [])
    ]
    # Pulls and pushes name the registry's loopback address; the sandbox untags them once they are done.
    registry_names = [
        name for image in engine.api.images(all=True)
        for name in (image.get("RepoTags") or []) + (image.get("RepoDigests") or []) if name.startswith("127.")
    ]
    assert not containers, f"sandbox containers left behind: {[c['Names'] for c in containers]}"
    assert not volumes, f"volumes left behind: {[volume['Name'] for volume in volumes]}"
    assert not attempt_tags, f"attempt tags left behind: {attempt_tags}"
    assert not registry_names, f"registry references left behind: {registry_names}"
    assert not images, f"sandbox images left behind: {[(i['Id'][:19], i['RepoTags']) for i in images]}"


class EngineForTests:
    """The real engine, plus bookkeeping: every image a test builds is removed when the test ends."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.builds: list[BuildResult] = []

    def __getattr__(self, name):
        return getattr(self.engine, name)

    def build(self, files: dict[str, bytes], *, allowed_bases=BASES, **options) -> tuple[list, BuildResult]:
        events = list(self.engine.build(files, allowed_bases=allowed_bases, **options))
        result = events[-1]
        self.builds.append(result)
        return events[:-1], result

    def build_ok(self, dockerfile: str, *, executable=(), **files: bytes) -> BuildResult:
        _, result = self.build({"Dockerfile": dockerfile.encode(), **files}, executable=executable)
        assert result.outcome.ok, result.outcome.message()
        return result

    def run(self, image: str, args=None, **options) -> tuple[list, RunResult]:
        events = list(self.engine.run(image, args, **options))
        return events[:-1], events[-1]

    def clean_up(self) -> None:
        """Discard what the test built and empty the build cache, so that the next test's builds run afresh."""
        for build in reversed(self.builds):
            self.engine.discard(build)
        self.engine.prune_cache(0, leftovers_older_than=0)


@pytest.fixture
def engine(real_engine: Engine) -> Iterator[EngineForTests]:
    wrapped = EngineForTests(real_engine)
    yield wrapped
    wrapped.clean_up()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that uses the engine must be marked so, for `pytest -m "not engine"` to run where there is none.
    The fault suite runs only against PostgreSQL and Redis (scripts/test runs it so): elsewhere it is deselected,
    and the summary says so."""
    _deselect_faults_without_services(config, items)
    unmarked = [item.nodeid for item in items
                if "real_engine" in getattr(item, "fixturenames", ()) and item.get_closest_marker("engine") is None]
    if unmarked:
        raise pytest.UsageError(f"these tests use the engine but are not marked `engine`: {', '.join(unmarked)}")


def _deselect_faults_without_services(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.POSTGRES and settings.REDIS_URL:
        return
    faults = [item for item in items if item.get_closest_marker("faults")]
    if faults:
        items[:] = [item for item in items if item not in faults]
        config.hook.pytest_deselected(items=faults)
        config.issue_config_time_warning(pytest.PytestWarning(
            f"{len(faults)} fault test(s) deselected: they need LAYERLAB_DATABASE_URL and LAYERLAB_REDIS_URL "
            "(export $(scripts/services env), as scripts/test does)"), stacklevel=2)
