"""The reaper removes what a crash left behind, and never a base image."""
import re
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command

from attempts.sweeper import sweep_every
from engine.engine import LABEL_ATTEMPT, LABEL_ROLE

pytestmark = pytest.mark.engine


def leftover_container(engine, image: str) -> str:
    """A container as a crashed job would leave it: created through the engine's own path, never removed."""
    return engine.runner.create_container(image, ["true"], env=None, as_root=False, limits=engine.limits, init=True)


def test_it_removes_old_leftovers_and_keeps_base_images(engine):
    result = engine.build_ok("FROM layerlab/busybox\nRUN echo leftover > /f\n")
    container = leftover_container(engine, result.image)
    bases_before = {image["Id"] for image in engine.base_images()}
    time.sleep(1.1)
    report = engine.reap(older_than=1)
    assert report.containers >= 1 and report.images >= 1
    assert not engine.api.containers(all=True, filters={"id": container})
    assert not engine.image_exists(result.image)
    assert {image["Id"] for image in engine.base_images()} == bases_before
    assert {tag for image in engine.base_images() for tag in image["RepoTags"]} >= {"layerlab/busybox:latest"}


def test_it_keeps_what_is_younger_than_the_limit(engine):
    result = engine.build_ok("FROM layerlab/busybox\nRUN echo young > /f\n")
    container = leftover_container(engine, result.image)
    try:
        engine.reap(older_than=3600)
        assert engine.api.containers(all=True, filters={"id": container})
        assert engine.image_exists(result.image)
    finally:
        engine.api.remove_container(container, force=True)


def test_build_step_containers_carry_the_sandbox_label(engine):
    # Build steps inherit the base image's labels, which is how the reaper finds a step a crash left behind.
    labels = engine.inspect_raw("layerlab/busybox")["Config"]["Labels"]
    assert labels[LABEL_ROLE] == "base"


def test_sandbox_reap_command_reports_what_it_removed(engine):
    result = engine.build_ok("FROM layerlab/busybox\nRUN echo command > /f\n")
    time.sleep(1.1)
    out = StringIO()
    call_command("sandbox_reap", "--older-than", "1", stdout=out)
    removed_images = int(re.search(r"(\d+) attempt image", out.getvalue())[1])
    assert removed_images >= 1
    assert not engine.image_exists(result.image)


def test_the_periodic_sweep_removes_leftovers_on_its_own(engine, settings):
    settings.SANDBOX_REAP_AFTER = 1
    result = engine.build_ok("FROM layerlab/busybox\nRUN echo swept > /f\n")
    stop = threading.Event()
    sweeper = threading.Thread(target=sweep_every, args=(0.5, stop))
    sweeper.start()
    try:
        deadline = time.monotonic() + 10
        while engine.image_exists(result.image) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        sweeper.join()
    assert not engine.image_exists(result.image)


def test_run_containers_carry_the_attempt_id(engine):
    result = engine.build_ok("FROM layerlab/busybox\n")
    container = leftover_container(engine, result.image)
    try:
        labels = engine.api.inspect_container(container)["Config"]["Labels"]
        assert labels[LABEL_ATTEMPT] == result.image.split(":")[1]
        assert labels[LABEL_ROLE] == "attempt"
    finally:
        engine.api.remove_container(container, force=True)
