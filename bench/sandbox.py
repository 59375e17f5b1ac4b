"""Benchmark: the live sandbox (websocket → queue → worker → engine) against the docker CLI on the same engine.

    .venv/bin/python bench/sandbox.py [--pairs 10] [--learners 20]

It starts the product (Daphne with its embedded workers) on a free loopback port with a throwaway database, then:
  (a) submit → result over the websocket vs `docker build` + `docker run` of the same Dockerfile, interleaved;
      target: median ratio <= 1.10
  (b) time to the first streamed build step vs the CLI's first build step ("Step 1/N"), interleaved;
      target <= 1.5
  (c) N learners submitting different solutions at once (N websocket clients): all graded, none lost, p50/p95
      latency, and throughput vs the CLI running N builds in parallel; target >= 0.8 and zero lost
  (d) N learners submitting the *same* solution at once, for several rounds: the realistic case, and the one that
      shares the build cache (and the sweep pruning it meanwhile); throughput vs the CLI's N parallel builds of
      that Dockerfile; target zero lost
  (e) one learner's second identical Build & Run: every step after FROM is reported cached
  (f) N learners submitting at once: how far each one's estimated wait (its first `queued` event) is from the wait
      measured until its `started` event; p50 and p95 of |estimate - actual|, and whether the positions told
      first were unique
In (a) to (c) every build is uncached (a fresh token in a RUN step), on both sides.
"""
import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import websockets

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from engine.engine import Engine  # noqa: E402
from tests.servers import free_port, wait_for  # noqa: E402

EXERCISE = "run-vs-cmd"  # graded from a build, with a file check and a run check
DOCKERFILE = ('FROM layerlab/busybox\nWORKDIR /app\n'
              'RUN echo {token} > /token && echo "built at build time" > build-info.txt\n'
              'CMD ["echo", "Hello at run time"]\n')


SAME_SOLUTION = DOCKERFILE.format(token="the-same-for-everyone")


def dockerfile() -> str:
    return DOCKERFILE.format(token=uuid.uuid4().hex)


# ------------------------------------------------------------------------------------------------- the product


class Product:
    """Daphne with embedded workers, a fresh SQLite database and N learners with sessions."""

    def __init__(self, learners: int):
        self.state = Path(tempfile.mkdtemp(prefix="layerlab-bench-"))
        self.port = free_port()
        self.env = {**os.environ, "LAYERLAB_STATE_DIR": str(self.state), "SANDBOX_REAP_INTERVAL": "0",
                    "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}
        self.learners = learners
        self.cookies: list[str] = []
        self.server: subprocess.Popen | None = None

    def __enter__(self) -> "Product":
        self._manage("migrate", "--noinput")
        self._manage("sync_course")
        self.cookies = self._sessions()
        self.server = subprocess.Popen(
            [str(PROJECT / ".venv/bin/daphne"), "-b", "127.0.0.1", "-p", str(self.port), "layerlab.asgi:application"],
            cwd=PROJECT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self.port)
        return self

    def __exit__(self, *exc) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)
        shutil.rmtree(self.state, ignore_errors=True)

    def _manage(self, *args: str) -> str:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def _sessions(self) -> list[str]:
        code = (
            "from django.contrib.auth.models import User\n"
            "from django.contrib.sessions.backends.db import SessionStore\n"
            f"for n in range({self.learners}):\n"
            "    user = User.objects.create_user(f'bench{n}')\n"
            "    s = SessionStore(); s['_auth_user_id'] = str(user.pk)\n"
            "    s['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'\n"
            "    s['_auth_user_hash'] = user.get_session_auth_hash(); s.create(); print(s.session_key)\n"
        )
        return [f"sessionid={key}" for key in self._manage("shell", "--verbosity", "0", "-c", code).split()]

    async def submit(self, learner: int, on_first_line=None, text: str | None = None, kind: str = "submit") -> dict:
        """Submit (or try) a Dockerfile as a learner, a fresh one unless `text` is given, and wait for the result
        frame; returns it with the seconds it took and the `cached` flag of every finished step.

        The clock starts when Submit is sent: the exercise page holds its socket open before that."""
        cached = []
        async with websockets.connect(
            f"ws://127.0.0.1:{self.port}/ws/sandbox/", max_size=None,
            additional_headers={"Cookie": self.cookies[learner], "Origin": f"http://127.0.0.1:{self.port}"},
        ) as socket_:
            started = time.perf_counter()
            await socket_.send(json.dumps({"type": kind, "exercise": EXERCISE,
                                           "files": {"Dockerfile": text or dockerfile()}}))
            async for raw in socket_:
                frame = json.loads(raw)
                if frame["type"] == "build_step" and on_first_line:
                    on_first_line(time.perf_counter() - started)
                    on_first_line = None
                if frame["type"] == "step_finished":
                    cached.append(frame["cached"])
                if frame["type"] in ("result", "error"):
                    return {**frame, "seconds": time.perf_counter() - started, "cached": cached}
        raise RuntimeError("the socket closed before a result")


# ----------------------------------------------------------------------------------------------------- the CLI


def docker_host() -> str:
    return os.environ.get("SANDBOX_DOCKER_HOST", "unix:///run/layerlab-engine/docker.sock")


def docker_command() -> list[str]:
    return [shutil.which("docker", path="/usr/bin") or "docker", "-H", docker_host()]


def cli_build_and_run(first_line: list | None = None, text: str | None = None) -> float:
    """`docker build` + `docker run` of a Dockerfile (a fresh one unless `text` is given); records the time to the
    build's first line."""
    docker = docker_command()
    with tempfile.TemporaryDirectory() as context:
        Path(context, "Dockerfile").write_text(text or dockerfile())
        tag = f"layerlab-bench:{uuid.uuid4().hex[:12]}"
        started = time.perf_counter()
        build = subprocess.Popen([*docker, "build", "--network", "none", "-t", tag, context],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=_classic_builder())
        while not build.stdout.readline().startswith(b"Step 1/"):
            pass  # "Sending build context" is the client talking; the first build line comes from the daemon
        if first_line is not None:
            first_line.append(time.perf_counter() - started)
        build.stdout.read()
        if build.wait() != 0:
            raise RuntimeError("docker build failed")
        output = subprocess.run([*docker, "run", "--rm", "--network", "none", tag], capture_output=True,
                                check=True).stdout
        elapsed = time.perf_counter() - started
        assert output == b"Hello at run time\n", output
        # Not checked: identical builds in parallel share one image, and another process may have removed it.
        subprocess.run([*docker, "rmi", tag], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return elapsed


def _classic_builder() -> dict:
    return {**os.environ, "DOCKER_BUILDKIT": "0"}


# ------------------------------------------------------------------------------------------------------ runs


def latency_pairs(product: Product, pairs: int) -> None:
    ratios, first_ratios = [], []
    print("(a) submit -> result, (b) first streamed line; interleaved pairs")
    print(f"{'pair':>4} {'ws s':>7} {'cli s':>7} {'ratio':>6}   {'ws 1st':>7} {'cli 1st':>7} {'ratio':>6}")
    for pair in range(1, pairs + 1):
        first: list[float] = []
        result = asyncio.run(product.submit(0, on_first_line=first.append))
        assert result.get("passed") is True, result
        cli_first: list[float] = []
        cli = cli_build_and_run(cli_first)
        ratios.append(result["seconds"] / cli)
        first_ratios.append(first[0] / cli_first[0])
        print(f"{pair:>4} {result['seconds']:>7.3f} {cli:>7.3f} {ratios[-1]:>6.3f}   "
              f"{first[0]:>7.3f} {cli_first[0]:>7.3f} {first_ratios[-1]:>6.3f}")
    print(f"(a) median ratio websocket/cli: {statistics.median(ratios):.3f} (target <= 1.10)")
    print(f"(b) median ratio first line websocket/cli: {statistics.median(first_ratios):.3f} (target <= 1.5)")


def crowd(product: Product, learners: int, label: str, text: str | None = None, racing=None) -> int:
    """Every learner submits at once (the same `text`, or each a fresh Dockerfile), then the CLI runs as many builds
    in parallel; returns how many submissions were lost. `racing` (a context manager) runs beside the learners only:
    the CLI's builds are not the sandbox's to protect."""
    async def everyone():
        return await asyncio.gather(*(product.submit(n, text=text) for n in range(learners)), return_exceptions=True)

    started = time.perf_counter()
    with racing or contextlib.nullcontext():
        results = asyncio.run(everyone())
    ours = time.perf_counter() - started
    graded = [r for r in results if isinstance(r, dict) and r.get("type") == "result" and r.get("passed") is True]
    latencies = sorted(r["seconds"] for r in graded) or [float("nan")]
    started = time.perf_counter()
    cli_args = [sys.executable, __file__, "--one-cli-build", *(["--same"] if text else [])]
    processes = [subprocess.Popen(cli_args) for _ in range(learners)]
    cli_ok = sum(process.wait() == 0 for process in processes)
    theirs = time.perf_counter() - started
    lost = learners - len(graded)
    for failure in [r for r in results if r not in graded][:3]:
        print(f"    lost: {failure!r:.300}")
    print(f"{label} {learners} learners at once: {len(graded)} graded, {lost} lost; "
          f"p50 {latencies[len(latencies) // 2]:.2f} s, p95 {latencies[max(int(len(latencies) * 0.95) - 1, 0)]:.2f} s")
    print(f"    throughput {learners / ours:.2f}/s vs CLI {cli_ok / theirs:.2f}/s ({learners} parallel builds): "
          f"ratio {(learners / ours) / (cli_ok / theirs):.3f}")
    return lost


@contextlib.contextmanager
def sweeping(engine: Engine, prunes: list[int]):
    """A sweep emptying the build cache every half second: the worst a sweep can do to the builds it races."""
    done = threading.Event()

    def sweep():
        while not done.wait(0.5):
            prunes.append(engine.prune_cache(0, leftovers_older_than=0).images)

    sweeper = threading.Thread(target=sweep)
    sweeper.start()
    try:
        yield
    finally:
        done.set()
        sweeper.join()


def same_solution_rounds(product: Product, learners: int, rounds: int) -> None:
    """The crowd of (c) with one solution for all, while a sweep prunes the cache they share."""
    engine, prunes = Engine(docker_host()), []  # the product's engine, so the same cache guard
    lost = sum(crowd(product, learners, f"(d) round {n}:", SAME_SOLUTION, sweeping(engine, prunes))
               for n in range(1, rounds + 1))
    print(f"(d) same solution, {rounds} rounds of {learners}, {len(prunes)} prunes racing them "
          f"({sum(prunes)} cache entries removed): {lost} lost of {rounds * learners} (target 0)")


def second_identical_try(product: Product) -> None:
    text = dockerfile()
    first = asyncio.run(product.submit(0, text=text, kind="try"))
    second = asyncio.run(product.submit(0, text=text, kind="try"))
    print(f"(e) one learner's identical Build & Run twice: cached steps {first['cached']} then {second['cached']}; "
          f"{first['seconds']:.2f} s then {second['seconds']:.2f} s (target: all but FROM cached the second time)")


async def waited(product: Product, learner: int) -> tuple[float, float, int]:
    """One learner's submit: (the wait first estimated, the wait measured to `started`, the `queued` events)."""
    async with websockets.connect(
        f"ws://127.0.0.1:{product.port}/ws/sandbox/", max_size=None,
        additional_headers={"Cookie": product.cookies[learner], "Origin": f"http://127.0.0.1:{product.port}"},
    ) as socket_:
        await socket_.send(json.dumps({"type": "submit", "exercise": EXERCISE, "files": {"Dockerfile": dockerfile()}}))
        told: list[tuple[float, float]] = []  # (estimated wait, when it was told)
        async for raw in socket_:
            frame = json.loads(raw)
            if frame["type"] == "queued":
                told.append((frame["estimated_wait"], time.perf_counter()))
            elif frame["type"] == "started":
                actual = time.perf_counter() - told[0][1]
            elif frame["type"] in ("result", "error"):
                return told[0][0], actual, len(told)
    raise RuntimeError("the socket closed before a result")


def queue_estimates(product: Product, learners: int) -> None:
    async def everyone():
        return await asyncio.gather(*(waited(product, n) for n in range(learners)))

    results = asyncio.run(everyone())
    errors = sorted(abs(estimate - actual) for estimate, actual, _ in results)
    longest = max(actual for _, actual, _ in results)
    updates = statistics.mean(told for _, _, told in results)
    print(f"(f) {learners} learners at once, estimated vs measured wait to start: |error| p50 "
          f"{statistics.median(errors):.2f} s, p95 {errors[max(int(len(errors) * 0.95) - 1, 0)]:.2f} s "
          f"(longest wait {longest:.2f} s); {updates:.1f} queued events per learner as the queue moved")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the same-solution crowd (d)")
    parser.add_argument("--queue-only", action="store_true", help="only (f), after one round to measure durations")
    parser.add_argument("--one-cli-build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--same", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_cli_build:
        cli_build_and_run(text=SAME_SOLUTION if args.same else None)
        return
    with Product(args.learners) as product:
        asyncio.run(product.submit(0))  # warm-up, not counted
        if args.queue_only:
            crowd(product, args.learners, "(c) to measure durations:")
            queue_estimates(product, args.learners)
            return
        cli_build_and_run()
        latency_pairs(product, args.pairs)
        lost = crowd(product, args.learners, "(c) different solutions:")
        print(f"(c) {lost} lost (target 0, throughput ratio >= 0.8)")
        same_solution_rounds(product, args.learners, args.rounds)
        second_identical_try(product)
        queue_estimates(product, args.learners)


if __name__ == "__main__":
    main()
