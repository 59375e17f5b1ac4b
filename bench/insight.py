"""Benchmark: indexing an image's layers (insight's streaming read of `docker save`) vs `docker save -o <file>`.

For the course's python image (about 160 MB) and one of about 500 MB built on it, each side runs as a child process
of its own, interleaved, so that its wall time and peak memory (the child's maximum RSS) are its alone. Prints the
median time of each side and their ratio (target: <= 1.5), and each side's peak memory for both sizes (target: the
index's peak the same for both: it holds paths, never bytes).

    .venv/bin/python bench/insight.py [--rounds 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layerlab.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from engine.engine import Engine  # noqa: E402
from engine.limits import SandboxLimits  # noqa: E402

BIG_DOCKERFILE = b"FROM layerlab/python\nRUN head -c 340000000 /dev/urandom > /blob\n"


def child(argv: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (bytes) and output of one child process."""
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[:3]} failed")
    return seconds, usage.ru_maxrss * 1024, output


def docker_save(image: str, target: Path) -> tuple[float, int]:
    seconds, peak, _ = child(["docker", "-H", settings.SANDBOX_DOCKER_HOST, "save", "-o", str(target), image])
    return seconds, peak


def index(image: str) -> tuple[float, int]:
    """The child's own time for the index, from the request to the last path: not Python's and Django's start,
    which a web server pays once (the docker CLI's start, a few milliseconds, stays in its time)."""
    _, peak, output = child([sys.executable, __file__, "--index", image])
    return float(output.split()[0]), peak


def index_in_this_process(image: str) -> None:
    started = time.monotonic()
    saved = Engine(settings.SANDBOX_DOCKER_HOST).index_layers(image)
    print(time.monotonic() - started, sum(len(layer.entries) for layer in saved.layers), "paths")


def measure(image: str, rounds: int) -> dict[str, list[tuple[float, int]]]:
    results: dict[str, list[tuple[float, int]]] = {"save": [], "index": []}
    with tempfile.TemporaryDirectory(dir=settings.STATE_DIR) as scratch:
        for _ in range(rounds):
            results["save"].append(docker_save(image, Path(scratch) / "image.tar"))
            (Path(scratch) / "image.tar").unlink()
            results["index"].append(index(image))
    return results


def build_big(engine: Engine):
    limits = SandboxLimits(build_timeout=300, build_disk_mb=1024, file_size_mb=512)
    result = list(engine.build({"Dockerfile": BIG_DOCKERFILE}, allowed_bases=["layerlab/python"],
                               attempt_id="bench-insight", limits=limits))[-1]
    if not result.outcome.ok:
        raise SystemExit(f"building the 500 MB image failed: {result.outcome.message('en')}")
    return result


def report(name: str, size: int, results: dict[str, list[tuple[float, int]]]) -> tuple[float, int]:
    save_time = statistics.median(seconds for seconds, _ in results["save"])
    index_time = statistics.median(seconds for seconds, _ in results["index"])
    save_peak = max(peak for _, peak in results["save"])
    index_peak = max(peak for _, peak in results["index"])
    print(f"{name:<24} {size / 1e6:>7.0f} MB  docker save {save_time:6.2f} s {save_peak / 1e6:6.1f} MB peak   "
          f"index {index_time:6.2f} s {index_peak / 1e6:6.1f} MB peak   time ratio {index_time / save_time:.2f}")
    return index_time / save_time, index_peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index", help=argparse.SUPPRESS)  # the child that indexes one image
    options = parser.parse_args()
    if options.index:
        index_in_this_process(options.index)
        return
    engine = Engine.from_settings()
    big = build_big(engine)
    try:
        rows = [(name, engine.inspect_raw(name)["Size"], measure(name, options.rounds))
                for name in ("layerlab/python", big.image)]
    finally:
        engine.discard(big)
    ratios, peaks = zip(*(report(*row) for row in rows), strict=True)
    print(f"worst time ratio {max(ratios):.2f} (target <= 1.5); index peak memory 500 MB / 160 MB image: "
          f"{peaks[1] / peaks[0]:.2f} (target: the same)")


if __name__ == "__main__":
    main()
