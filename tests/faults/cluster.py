"""A scaled-out Layerlab on this machine, as the fault tests drive it: a second sandbox engine beside the tests' own,
`sandbox_worker` processes on each, a Daphne that runs no workers, and learners on its websocket.

Every process shares the tests' PostgreSQL database and Redis (LAYERLAB_DATABASE_URL, LAYERLAB_REDIS_URL), with
leases short enough that a dead worker's attempt is taken back within seconds.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from websockets.sync.client import connect

from attempts.models import Attempt, Worker
from engine.engine import LABEL_ROLE, Engine
from tests.servers import PROJECT, free_port, wait_for

LEASE_SECONDS = 3
# The tests' tight limits (tests/conftest.py), as the worker processes read them.
LIMITS_ENVIRONMENT = {"SANDBOX_BUILD_TIMEOUT": "20", "SANDBOX_RUN_TIMEOUT": "5", "SANDBOX_MEMORY_MB": "128",
                      "SANDBOX_PIDS": "64", "SANDBOX_OUTPUT_KB": "64", "SANDBOX_BUILD_DISK_MB": "64",
                      "SANDBOX_FILE_SIZE_MB": "32", "SANDBOX_TMPFS_MB": "16"}
ENDED = ("finished", "failed", "cancelled")


def slow_build(seconds: int) -> dict[str, str]:
    """Files whose build logs "building" and then takes `seconds`, afresh: a token of its own keeps an earlier
    test's build cache from answering it at once, without the log line a test waits for."""
    return {"Dockerfile": f'FROM layerlab/busybox\nRUN echo building {uuid.uuid4().hex[:12]} && sleep {seconds}\n'
                          'CMD ["echo", "ran"]\n'}


def environment(engine_host: str, **extra: str) -> dict[str, str]:
    """What a process of the cluster runs with: the tests' own database (not the one they were named after)."""
    url = urlsplit(os.environ["LAYERLAB_DATABASE_URL"])
    database_url = url._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    return {**os.environ, **LIMITS_ENVIRONMENT, "LAYERLAB_DATABASE_URL": database_url,
            "SANDBOX_DOCKER_HOST": engine_host, "SANDBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "SANDBOX_EMBEDDED_WORKERS": "false", "SANDBOX_REAP_INTERVAL": "0", "SANDBOX_WORKERS": "1",
            "LAYERLAB_REDIS_PREFIX": f"faults{os.getpid()}", **extra}


# ------------------------------------------------------------------------------------------------------ engines


class ExtraEngine:
    """Another project engine (scripts/sandbox-engine with a run directory, state directory, cgroup and a disk of
    `disk_gb` of its own), given the course's busybox image from the tests' engine rather than building it again."""

    def __init__(self, main: Engine, suffix: str, disk_gb: int = 2):
        main_run = Path(urlsplit(main.docker_host).path).parent
        state = os.environ.get("LAYERLAB_ENGINE_STATE", "/var/lib/layerlab-engine")
        self.environment = {
            **{name: value for name, value in os.environ.items() if name != "SANDBOX_DOCKER_HOST"},
            "LAYERLAB_ENGINE_RUN": f"{main_run}-{suffix}", "LAYERLAB_ENGINE_STATE": f"{state}-{suffix}",
            "LAYERLAB_CGROUP": f"{settings.SANDBOX_CGROUP}-{suffix}", "LAYERLAB_ENGINE_DISK_GB": str(disk_gb),
        }
        self.docker_host = f"unix://{main_run}-{suffix}/docker.sock"
        self.main = main

    def start(self) -> Engine:
        self._script("start")
        engine = Engine(self.docker_host, self.main.limits)
        if not engine.image_exists("layerlab/busybox"):
            engine.api.load_image(self.main.api.get_image("layerlab/busybox"))
        return engine

    def stop(self) -> None:
        self._script("stop")
        for directory in ("LAYERLAB_ENGINE_STATE", "LAYERLAB_ENGINE_RUN"):
            shutil.rmtree(self.environment[directory], ignore_errors=True)

    def kill_daemon(self) -> None:
        pid = int(Path(self.environment["LAYERLAB_ENGINE_RUN"], "docker.pid").read_text())
        os.kill(pid, signal.SIGKILL)

    def _script(self, command: str) -> None:
        done = subprocess.run([str(PROJECT / "scripts" / "sandbox-engine"), command], env=self.environment,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"sandbox-engine {command} failed: {done.stderr}"


# ------------------------------------------------------------------------------------------------------ workers


class WorkerProcess:
    """`manage.py sandbox_worker` on one engine, its output in `log`; `extra` adds to its environment."""

    def __init__(self, engine_host: str, log: Path, **extra: str):
        self.engine_host = engine_host
        self.log = log
        self.extra = extra
        self.process: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return f"{os.uname().nodename}:{self.process.pid}"

    def start(self) -> WorkerProcess:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen([sys.executable, "manage.py", "sandbox_worker"], cwd=PROJECT,
                                            env=environment(self.engine_host, **self.extra), stdout=output,
                                            stderr=subprocess.STDOUT)
        eventually(lambda: Worker.objects.filter(name=self.name).exists(), timeout=60,
                   failure=f"worker on {self.engine_host} did not start (see {self.log})")
        return self

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        """Freeze the process (SIGSTOP): to the others it looks dead, its leases run out."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


@contextmanager
def workers_on(engines: list[str], logs: Path, **extra: str) -> Iterator[list[WorkerProcess]]:
    started = [WorkerProcess(host, logs / f"worker-{number}.log", **extra).start()
               for number, host in enumerate(engines)]
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


# ------------------------------------------------------------------------------------------------------- Daphne


class Site:
    """Daphne with no workers of its own, restartable on the same port."""

    def __init__(self, engine_host: str, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.engine_host = engine_host
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> Site:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "layerlab.asgi:application"],
                cwd=PROJECT, env=environment(self.engine_host), stdout=output, stderr=subprocess.STDOUT)
        wait_for(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Learner:
    """A learner's page on the site's websocket: submits, and keeps every frame of its attempt."""

    def __init__(self, site: Site, cookie: str):
        self.site = site
        self.cookie = cookie
        self.events: list[dict] = []
        self.socket = None

    def open(self) -> Learner:
        self.socket = connect(f"ws://127.0.0.1:{self.site.port}/ws/sandbox/", origin=self.site.url,
                              additional_headers={"Cookie": self.cookie}, open_timeout=10)
        return self

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()

    def send(self, frame: dict) -> None:
        self.socket.send(json.dumps(frame))

    def submit(self, kind: str, exercise: str, files: dict[str, str]) -> int:
        self.send({"type": kind, "exercise": exercise, "files": files})
        return self.until(lambda frame: frame["type"] == "accepted")["attempt"]

    def resume(self, attempt: int) -> None:
        """What the page does after its socket dropped: open another and ask for what came after the last event."""
        self.close()
        self.open()
        self.send({"type": "subscribe", "attempt": attempt, "after": self.events[-1]["seq"] if self.events else 0})

    def until(self, wanted: Callable[[dict], bool], timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            frame = json.loads(self.socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if "seq" in frame:
                self.events.append(frame)
            if wanted(frame):
                return frame


# ------------------------------------------------------------------------------------------------- assertions


def eventually(condition: Callable[[], bool], *, timeout: float, failure: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.2)


def until_logged(attempt: Attempt, text: str, timeout: float = 60) -> None:
    """Wait until the attempt's stored stream has a log line containing `text`: its work is under way. (icontains:
    on PostgreSQL, `contains` on a JSON key is JSON containment, which a longer line does not match.)"""
    eventually(lambda: attempt.events.filter(data__text__icontains=text).exists(), timeout=timeout,
               failure=f"{text!r} never appeared in attempt {attempt.id}'s log")


def database_answers() -> bool:
    """Whether the tests' own connection works, reconnecting after the database restarted."""
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure to reach it: try a fresh connection next time
        connection.close()
        return False


def wait_until_ended(attempt_ids: list[int], timeout: float = 90) -> list[Attempt]:
    eventually(lambda: database_answers() and Attempt.objects.filter(id__in=attempt_ids, status__in=ENDED).count()
               == len(attempt_ids), timeout=timeout,
               failure=f"attempts still not ended: {list(Attempt.objects.exclude(status__in=ENDED).values())}")
    return list(Attempt.objects.filter(id__in=attempt_ids).order_by("id"))


def no_sandbox_containers(engine_hosts: list[str], timeout: float = 30) -> None:
    """Every sandbox container on these engines is gone (a cancelled or abandoned step is removed by its worker)."""
    def none_left() -> bool:
        return not any(Engine(host).api.containers(all=True, filters={"label": LABEL_ROLE}) for host in engine_hosts)

    eventually(none_left, timeout=timeout, failure=f"sandbox containers left on {engine_hosts}")


def stored_stream(attempt: Attempt) -> list[dict]:
    return list(attempt.events.order_by("seq").values_list("data", flat=True))


def assert_one_result(attempt: Attempt) -> list[dict]:
    """The attempt's stream is numbered 1, 2, 3... with exactly one result, its last event; returns the stream."""
    events = stored_stream(attempt)
    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    assert [event["type"] for event in events].count("result") == 1, events
    assert events[-1]["type"] == "result" and events[-1]["status"] == attempt.status
    return events
