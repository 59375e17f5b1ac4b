"""Settings come from the environment; a value that cannot be used stops the start and names the variable."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from layerlab.env import env_bool, env_int, env_list, env_mapping

PROJECT = Path(__file__).resolve().parent.parent


def test_unset_variables_give_the_default(monkeypatch):
    monkeypatch.delenv("LAYERLAB_X", raising=False)
    assert env_int("LAYERLAB_X", 7) == 7
    assert env_bool("LAYERLAB_X", True) is True
    assert env_list("LAYERLAB_X", ["a"]) == ["a"]


def test_values_are_parsed(monkeypatch):
    monkeypatch.setenv("LAYERLAB_X", " 12 ")
    assert env_int("LAYERLAB_X", 7) == 12
    monkeypatch.setenv("LAYERLAB_X", "Off")
    assert env_bool("LAYERLAB_X", True) is False
    monkeypatch.setenv("LAYERLAB_X", "a.example, b.example ,")
    assert env_list("LAYERLAB_X", []) == ["a.example", "b.example"]
    monkeypatch.setenv("LAYERLAB_X", "layerlab/python=python:3.11-slim, layerlab/busybox=busybox:1.36")
    assert env_mapping("LAYERLAB_X", {}) == {"layerlab/python": "python:3.11-slim", "layerlab/busybox": "busybox:1.36"}


@pytest.mark.parametrize(
    ("reader", "value", "expected"),
    [
        (lambda: env_int("LAYERLAB_X", 1), "ten", "whole number"),
        (lambda: env_int("LAYERLAB_X", 1, minimum=1), "0", "at least 1"),
        (lambda: env_bool("LAYERLAB_X", True), "maybe", "true or false"),
        (lambda: env_mapping("LAYERLAB_X", {}), "layerlab/python", "key=value"),
    ],
)
def test_bad_values_name_the_variable(monkeypatch, reader, value, expected):
    monkeypatch.setenv("LAYERLAB_X", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        reader()
    assert "LAYERLAB_X" in str(raised.value) and expected in str(raised.value)


def test_a_bad_setting_stops_manage_py_with_the_variables_name(tmp_path):
    environment = {**os.environ, "SANDBOX_PIDS": "lots", "LAYERLAB_STATE_DIR": str(tmp_path)}
    finished = subprocess.run([sys.executable, "manage.py", "check"], cwd=PROJECT, env=environment,
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "SANDBOX_PIDS must be a whole number, not 'lots'" in finished.stderr


def test_a_short_secret_key_is_refused(tmp_path):
    environment = {**os.environ, "DJANGO_SECRET_KEY": "short", "LAYERLAB_STATE_DIR": str(tmp_path)}
    finished = subprocess.run([sys.executable, "manage.py", "check"], cwd=PROJECT, env=environment,
                              capture_output=True, text=True, timeout=60)
    assert "DJANGO_SECRET_KEY must be at least 32 characters" in finished.stderr


def test_without_a_secret_key_one_is_made_and_kept_out_of_git(tmp_path):
    environment = {**os.environ, "LAYERLAB_STATE_DIR": str(tmp_path)}
    environment.pop("DJANGO_SECRET_KEY", None)
    subprocess.run([sys.executable, "manage.py", "check"], cwd=PROJECT, env=environment, check=True,
                   capture_output=True, timeout=60)
    key_file = tmp_path / "secret_key"
    assert len(key_file.read_text()) >= 50
    assert key_file.stat().st_mode & 0o077 == 0
