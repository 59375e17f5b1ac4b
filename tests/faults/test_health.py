"""The sandbox's health, scaled out: the staff JSON endpoint of a Daphne without workers and `sandbox_check --json`
on another process both report each engine, each worker process with its heartbeat, the queue, PostgreSQL and
Redis."""
import json
import subprocess
import sys

import pytest
import requests
from django.contrib.auth.models import User

from tests.faults.cluster import environment
from tests.servers import PROJECT
from tests.sockets import session_cookie

pytestmark = [pytest.mark.faults, pytest.mark.engine, pytest.mark.django_db(transaction=True)]


def assert_reports_the_cluster(report: dict, engines: list[str], workers) -> None:
    assert report["database"] == {"ok": True, "vendor": "postgresql"}
    assert report["redis"] == {"ok": True}
    assert report["queue"]["length"] == 0 and report["queue"]["oldest_seconds"] is None
    reported = {engine["docker_host"]: engine for engine in report["engines"]}
    assert set(engines) <= set(reported) and all(reported[host]["reachable"] for host in engines)
    assert {(worker["name"], worker["engine"]) for worker in report["workers"]} == {
        (worker.name, worker.engine_host) for worker in workers}
    assert all(worker["alive"] and worker["heartbeat_at"] for worker in report["workers"])


def test_the_staff_endpoint_and_sandbox_check_report_every_engine_and_worker(workers, engines, site):
    cookie = session_cookie("staff").decode()
    User.objects.filter(username="staff").update(is_staff=True)
    answer = requests.get(f"{site.url}/staff/sandbox/health.json", headers={"Cookie": cookie}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert_reports_the_cluster(answer.json(), engines, workers)

    check = subprocess.run([sys.executable, "manage.py", "sandbox_check", "--json"], cwd=PROJECT,
                           env=environment(engines[1]), capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    assert_reports_the_cluster(json.loads(check.stdout), engines, workers)
