"""Benchmark: the scaled-out set-up against the embedded one, and the control plane alone.

    scripts/services start && export $(scripts/services env)
    .venv/bin/python bench/scale.py [--learners 100] [--attempts 2000]   # as root: it starts a second engine

(a) N learners submit at once over the websocket, each a fresh (uncached) Dockerfile, in two set-ups run one after
    the other on the same machine:
      embedded  Daphne with its worker threads, SQLite, the in-memory channel layer, the project's engine;
      scaled    Daphne with no workers, one `sandbox_worker` per engine on two engines, PostgreSQL and Redis.
    Every attempt must be graded (none lost); p50/p95 submit -> result and the throughput, side by side.
(b) The control plane alone: a fake engine that answers at once (injected here, nowhere else) behind worker
    processes that claim, stream and finish attempts, so that only the queue, the event numbering and the news are
    measured: claims and events per second through PostgreSQL + Redis, beside SQLite + in-memory.
From both: how many Docker hosts one database and one Redis serve, where a Docker host asks of the control plane
what the embedded set-up's engine did in (a): its attempts per second, each with its events.
"""
import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import websockets

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layerlab.settings")

from bench.sandbox import EXERCISE, Product, dockerfile  # noqa: E402

SERVICES = ("LAYERLAB_DATABASE_URL", "LAYERLAB_REDIS_URL")
FAKE_STEPS = 3  # a fake attempt streams what a three-step build and a run do: 12 events


def embedded_environment(state: Path) -> dict[str, str]:
    return {**{name: value for name, value in os.environ.items() if name not in SERVICES},
            "LAYERLAB_STATE_DIR": str(state), "SANDBOX_REAP_INTERVAL": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}


# ------------------------------------------------------------------------------------------- PostgreSQL + Redis


@contextmanager
def fresh_database(name: str):
    """A database of its own on the PostgreSQL of LAYERLAB_DATABASE_URL, dropped afterwards; yields its URL."""
    import psycopg

    url = urlsplit(os.environ["LAYERLAB_DATABASE_URL"])
    with psycopg.connect(url.geturl(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(url.geturl(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def scaled_environment(state: Path, database_url: str, prefix: str) -> dict[str, str]:
    return {**os.environ, "LAYERLAB_STATE_DIR": str(state), "LAYERLAB_DATABASE_URL": database_url,
            "LAYERLAB_REDIS_PREFIX": prefix, "SANDBOX_EMBEDDED_WORKERS": "false", "SANDBOX_REAP_INTERVAL": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}


class EmbeddedProduct(Product):
    """The default set-up, whatever services this shell has: Daphne with its workers, SQLite, in memory."""

    def __init__(self, learners: int):
        super().__init__(learners)
        self.env = embedded_environment(self.state)


class ScaledProduct(Product):
    """Daphne with no workers and one `sandbox_worker` process per engine, all on PostgreSQL and Redis."""

    def __init__(self, learners: int, database_url: str, engines: list[str]):
        super().__init__(learners)
        self.env = scaled_environment(self.state, database_url, f"bench{os.getpid()}")
        self.engines = engines
        self.workers: list[subprocess.Popen] = []

    def __enter__(self) -> "ScaledProduct":
        super().__enter__()
        for host in self.engines:
            self.workers.append(start_worker([sys.executable, "manage.py", "sandbox_worker"],
                                             {**self.env, "SANDBOX_DOCKER_HOST": host}, self.state))
        return self

    def __exit__(self, *exc) -> None:
        stop_all(self.workers)
        super().__exit__(*exc)


def start_worker(command: list[str], environment: dict[str, str], state: Path) -> subprocess.Popen:
    """A worker process, once it says it waits for attempts."""
    log = state / f"worker-{len(list(state.glob('worker-*')))}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while "waiting for attempts" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"a worker did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    return process


def stop_all(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)


@contextmanager
def second_engine():
    """A second project engine beside SANDBOX_DOCKER_HOST's, with its busybox image (tests.faults.cluster's)."""
    import django

    django.setup()
    from engine.engine import Engine
    from tests.conftest import TIGHT_LIMITS
    from tests.faults.cluster import ExtraEngine

    extra = ExtraEngine(Engine(os.environ["SANDBOX_DOCKER_HOST"], TIGHT_LIMITS), "bench")
    extra.start()
    try:
        yield extra.docker_host
    finally:
        extra.stop()


# ------------------------------------------------------------------------------------------------ (a) learners


async def submit(product: Product, learner: int) -> dict:
    """One learner's Submit of a fresh Dockerfile: the result frame, with the seconds it took and its events."""
    async with websockets.connect(
        f"ws://127.0.0.1:{product.port}/ws/sandbox/", max_size=None, open_timeout=60,
        additional_headers={"Cookie": product.cookies[learner], "Origin": f"http://127.0.0.1:{product.port}"},
    ) as socket_:
        started = time.perf_counter()
        await socket_.send(json.dumps({"type": "submit", "exercise": EXERCISE, "files": {"Dockerfile": dockerfile()}}))
        events = 0
        async for raw in socket_:
            frame = json.loads(raw)
            events += "seq" in frame
            if frame["type"] in ("result", "error"):
                return {**frame, "seconds": time.perf_counter() - started, "events": events}
    raise RuntimeError("the socket closed before a result")


def crowd(product: Product, learners: int) -> dict:
    async def everyone():
        return await asyncio.gather(*(submit(product, n) for n in range(learners)), return_exceptions=True)

    asyncio.run(submit(product, 0))  # warm-up (the course's pages, the engine's base image), not counted
    started = time.perf_counter()
    results = asyncio.run(everyone())
    wall = time.perf_counter() - started
    graded = [r for r in results if isinstance(r, dict) and r.get("type") == "result" and r.get("passed") is True]
    for failure in [r for r in results if r not in graded][:3]:
        print(f"    lost: {failure!r:.300}")
    latencies = sorted(r["seconds"] for r in graded) or [float("nan")]
    return {"graded": len(graded), "lost": learners - len(graded), "wall": wall,
            "p50": statistics.median(latencies), "p95": latencies[max(int(len(latencies) * 0.95) - 1, 0)],
            "per_second": len(graded) / wall,
            "events": statistics.mean(r["events"] for r in graded) if graded else float("nan")}


# ------------------------------------------------------------------------------------- (b) the control plane


class InstantEngine:
    """An engine that builds and runs at once: what is left to measure is the control plane."""

    docker_host = "instant://"

    def __init__(self):
        from engine.limits import SandboxLimits

        self.limits = SandboxLimits()

    def build(self, files, **_options):
        from engine.engine import BuildResult, BuildStep, LogLine, StepFinished
        from engine.outcomes import OK_BUILD

        for step in range(1, FAKE_STEPS + 1):
            yield BuildStep(step, FAKE_STEPS, "RUN true", step)
            yield LogLine("build", f"step {step}")
            yield StepFinished(step, True, 0.0)
        yield BuildResult(OK_BUILD, image="instant")

    def run(self, image, **_options):
        from engine.engine import LogLine, RunResult
        from engine.outcomes import OK_RUN

        yield LogLine("stdout", "Hello at run time")
        yield RunResult(OK_RUN, exit_code=0)

    def discard(self, build) -> None:
        pass


def fake_worker(threads: int) -> None:
    """`sandbox_worker` with the instant engine: the bench's own worker process for (b)."""
    import django

    django.setup()
    from attempts.jobs import WorkerPool

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    pool = WorkerPool(threads, engine_factory=InstantEngine, engine_host=InstantEngine.docker_host).start()
    print(f"{threads} worker(s) running as {pool.name}; waiting for attempts.", flush=True)
    stop.wait()
    pool.stop()


def control_plane_run(attempts: int) -> None:
    """In a process of its own on the database of its environment: queue `attempts` Build & Runs at once for the
    fake workers already running, and print how fast they went through, measured from the database."""
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db.models import Max, Min

    from attempts.models import Attempt, AttemptEvent
    from course.models import Exercise

    exercise = Exercise.objects.get(slug=EXERCISE)
    users = User.objects.bulk_create([User(username=f"plane{n}") for n in range(attempts)])
    files = {"Dockerfile": 'FROM layerlab/busybox\nCMD ["echo", "hi"]\n'}
    Attempt.objects.bulk_create([Attempt(user=user, exercise=exercise, definition=exercise.definition, kind="try",
                                         files=files) for user in users])
    while Attempt.objects.filter(status="finished").count() < attempts:
        time.sleep(0.1)
    span = Attempt.objects.aggregate(first=Min("started_at"), last=Max("finished_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    events = AttemptEvent.objects.count()
    print(json.dumps({"attempts": attempts, "events": events, "seconds": seconds,
                      "claims_per_second": attempts / seconds, "events_per_second": events / seconds}))


def control_plane(environment: dict[str, str], state: Path, processes: int, threads: int, attempts: int) -> dict:
    migrate_and_load(environment)
    me = [sys.executable, str(Path(__file__).resolve())]
    workers = [start_worker([*me, "--fake-worker", "--threads", str(threads)], environment, state)
               for _ in range(processes)]
    try:
        done = subprocess.run([*me, "--control-plane-run", "--attempts", str(attempts)], cwd=PROJECT,
                              env=environment, check=True, capture_output=True, text=True, timeout=900)
    finally:
        stop_all(workers)
    return json.loads(done.stdout.strip().splitlines()[-1])


def migrate_and_load(environment: dict[str, str]) -> None:
    for command in (["migrate", "--noinput"], ["sync_course"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=PROJECT, env=environment, check=True,
                       capture_output=True)


# ---------------------------------------------------------------------------------------------------- report


def side_by_side(embedded: dict, scaled: dict) -> None:
    print(f"{'':28}{'embedded':>12}{'scaled':>12}{'ratio':>8}")
    for label, key, unit in [("graded", "graded", ""), ("lost", "lost", ""), ("p50 submit -> result", "p50", " s"),
                             ("p95 submit -> result", "p95", " s"), ("attempts per second", "per_second", ""),
                             ("events per attempt", "events", "")]:
        ratio = scaled[key] / embedded[key] if embedded[key] else float("nan")
        print(f"{label:28}{embedded[key]:>10.2f}{unit:2}{scaled[key]:>10.2f}{unit:2}{ratio:>8.2f}")


def hosts_served(host: dict, plane: dict) -> float:
    """Docker hosts whose attempts (and their events) the control plane keeps up with."""
    by_claims = plane["claims_per_second"] / host["per_second"]
    by_events = plane["events_per_second"] / (host["per_second"] * host["events"])
    return min(by_claims, by_events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--attempts", type=int, default=2000, help="attempts through the control plane in (b)")
    parser.add_argument("--processes", type=int, default=4, help="fake worker processes on PostgreSQL in (b)")
    parser.add_argument("--threads", type=int, default=4, help="worker threads per fake worker process in (b)")
    parser.add_argument("--fake-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--control-plane-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake_worker:
        return fake_worker(args.threads)
    if args.control_plane_run:
        return control_plane_run(args.attempts)
    if not all(os.environ.get(name) for name in SERVICES):
        sys.exit("bench/scale.py needs PostgreSQL and Redis: scripts/services start && export $(scripts/services env)")

    print(f"(a) {args.learners} learners submitting at once")
    with EmbeddedProduct(args.learners) as embedded_product:
        embedded = crowd(embedded_product, args.learners)
    with second_engine() as other, fresh_database(f"bench_scaled_{os.getpid()}") as url:
        with ScaledProduct(args.learners, url, [os.environ["SANDBOX_DOCKER_HOST"], other]) as scaled_product:
            scaled = crowd(scaled_product, args.learners)
    side_by_side(embedded, scaled)

    print(f"(b) the control plane alone: {args.attempts} instant attempts")
    state = Path(tempfile.mkdtemp(prefix="layerlab-bench-plane-"))
    try:
        sqlite = control_plane(embedded_environment(state), state, 1, args.threads, args.attempts)
        with fresh_database(f"bench_plane_{os.getpid()}") as url:
            postgres = control_plane(scaled_environment(state, url, f"plane{os.getpid()}"), state, args.processes,
                                     args.threads, args.attempts)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    print(f"{'':28}{'SQLite+memory':>14}{'PostgreSQL+Redis':>18}{'ratio':>8}")
    print(f"{'':28}{'1 x ' + str(args.threads) + ' threads':>14}"
          f"{str(args.processes) + ' x ' + str(args.threads) + ' threads':>18}")
    for label, key in [("claims per second", "claims_per_second"), ("events per second", "events_per_second")]:
        print(f"{label:28}{sqlite[key]:>14.1f}{postgres[key]:>18.1f}{postgres[key] / sqlite[key]:>8.2f}")
    print(f"one Docker host (the embedded set-up's engine in (a)) asks {embedded['per_second']:.2f} attempts/s, "
          f"{embedded['per_second'] * embedded['events']:.1f} events/s")
    print(f"=> one PostgreSQL + one Redis serve about {hosts_served(embedded, postgres):.0f} Docker hosts "
          f"(SQLite + in-memory: {hosts_served(embedded, sqlite):.0f})")


if __name__ == "__main__":
    main()
