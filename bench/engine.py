"""Benchmark: build + run of a small Dockerfile through `engine.engine` vs the `docker` CLI on the same engine.

Pairs are interleaved (engine, CLI, engine, CLI, ...) so that both sides see the same machine state; every build
is uncached (a fresh token in a RUN step) and both sides apply the same limits. Prints each pair and the median
ratio engine / CLI (target: <= 1.10).

    .venv/bin/python bench/engine.py [--pairs 10]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layerlab.settings")

import django  # noqa: E402

django.setup()

from engine.engine import Engine  # noqa: E402

DOCKERFILE = """FROM layerlab/busybox
WORKDIR /app
COPY greet.sh .
RUN echo {token} > /app/token && ls -l /app
CMD ["./greet.sh"]
"""
GREETING = b"#!/bin/sh\necho hello from the benchmark\n"
EXECUTABLE = {"greet.sh"}


def submission() -> dict[str, bytes]:
    return {"Dockerfile": DOCKERFILE.format(token=uuid.uuid4().hex).encode(), "greet.sh": GREETING}


def through_engine(engine: Engine) -> float:
    started = time.perf_counter()
    build = list(engine.build(submission(), allowed_bases=["layerlab/busybox"], executable=EXECUTABLE))[-1]
    assert build.outcome.ok, build.outcome.message()
    run = list(engine.run(build.image))[-1]
    assert run.stdout == "hello from the benchmark\n", run
    engine.discard(build)
    return time.perf_counter() - started


def through_cli(docker: list[str], engine: Engine) -> float:
    limits = engine.limits
    with tempfile.TemporaryDirectory() as context:
        for name, data in submission().items():
            path = Path(context, name)
            path.write_bytes(data)
            path.chmod(0o755 if name in EXECUTABLE else 0o644)
        tag = f"layerlab-bench:{uuid.uuid4().hex[:12]}"
        started = time.perf_counter()
        subprocess.run(
            [*docker, "build", "-q", "--network", "none", "--memory", f"{limits.memory_mb}m", "-t", tag, context],
            check=True, stdout=subprocess.DEVNULL,
        )
        output = subprocess.run(
            [*docker, "run", "--rm", "--network", "none", "--memory", f"{limits.memory_mb}m",
             "--pids-limit", str(limits.pids), "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
             "--read-only", "--tmpfs", "/tmp", "--user", limits.run_user, "--init", tag],
            check=True, capture_output=True,
        ).stdout
        assert output == b"hello from the benchmark\n", output
        subprocess.run([*docker, "rmi", "-f", tag], check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10)
    pairs = parser.parse_args().pairs
    engine = Engine.from_settings()
    # Debian's client speaks the classic builder, as the engine does; BuildKit is off for a like-for-like build.
    os.environ["DOCKER_BUILDKIT"] = "0"
    docker = [shutil.which("docker", path="/usr/bin") or "docker", "-H", engine.docker_host]
    through_engine(engine), through_cli(docker, engine)  # warm-up, not counted
    ratios = []
    print(f"{'pair':>4}  {'engine s':>9}  {'cli s':>9}  {'ratio':>6}")
    for pair in range(1, pairs + 1):
        ours, theirs = through_engine(engine), through_cli(docker, engine)
        ratios.append(ours / theirs)
        print(f"{pair:>4}  {ours:>9.3f}  {theirs:>9.3f}  {ours / theirs:>6.3f}")
    print(f"median ratio engine/cli over {pairs} pairs: {statistics.median(ratios):.3f} (target <= 1.10)")


if __name__ == "__main__":
    main()
