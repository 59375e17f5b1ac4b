"""The project's own engine is started locked down, and sandbox_check reports it."""
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.engine


def test_the_engine_remaps_container_root_to_an_unprivileged_user(real_engine):
    options = real_engine.info()["SecurityOptions"]
    assert any(option.startswith("name=userns") for option in options)


def test_the_engine_has_no_bridge_network(real_engine):
    drivers = {network["Driver"] for network in real_engine.api.networks()}
    assert "bridge" not in drivers


def test_sandbox_work_shares_one_cgroup_with_a_process_ceiling(real_engine, settings):
    root = Path("/sys/fs/cgroup")
    candidates = [root / "pids" / settings.SANDBOX_CGROUP / "pids.max", root / settings.SANDBOX_CGROUP / "pids.max"]
    found = [path for path in candidates if path.exists()]
    assert found, "no sandbox cgroup: start the engine with scripts/sandbox-engine (or give yours a --cgroup-parent)"
    assert int(found[0].read_text()) > 0


@pytest.mark.django_db
def test_sandbox_check_prints_engine_limits_and_images(real_engine):
    out = StringIO()
    call_command("sandbox_check", stdout=out)
    text = out.getvalue()
    assert re.search(r"Engine: Docker \d+\.\d+", text)
    assert "userns" in text
    assert "processes 128" in text
    for name in ("layerlab/busybox", "layerlab/python", "layerlab/golang"):
        assert f"  {name}: " in text and "missing" not in text
