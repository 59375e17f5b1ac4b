"""Benchmark: what judging behaviour costs. Grades each exercise's solution with all its checks and with only the
checks that read the image and its output as they are (no `process`, no `layer`, no `cache` with `image` or
`run`), interleaved pair by pair on the same engine, and prints each exercise's median ratio all / without.

    .venv/bin/python bench/behaviour_checks.py [--pairs 3] [exercise ...]
"""
import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layerlab.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from course.validation import load_all  # noqa: E402
from engine.engine import Engine  # noqa: E402
from grading.checks import CacheCheck, LayerCheck, ProcessCheck  # noqa: E402
from grading.runner import grade  # noqa: E402


def judges_behaviour(check) -> bool:
    return isinstance(check, (ProcessCheck, LayerCheck)) or (
        isinstance(check, CacheCheck) and (check.image is not None or check.run is not None))


def seconds(engine: Engine, spec, files) -> float:
    started = time.monotonic()
    report = grade(engine, spec, files)
    assert report.outcome.ok, report.outcome.message()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("exercises", nargs="*")
    options = parser.parse_args()
    engine = Engine.from_settings()
    for exercise in load_all(settings.COURSE_CONTENT_DIR, options.exercises):
        spec = exercise.spec
        if spec.uses_registry or not any(judges_behaviour(check) for check in spec.checks):
            continue
        plain = replace(spec, checks=[check for check in spec.checks if not judges_behaviour(check)])
        pairs = [(seconds(engine, spec, exercise.solution.files), seconds(engine, plain, exercise.solution.files))
                 for _ in range(options.pairs)]
        ratio = statistics.median(whole / without for whole, without in pairs)
        shown = ", ".join(f"{whole:.1f}/{without:.1f}" for whole, without in pairs)
        print(f"{exercise.slug:<20} all/without behaviour checks: {shown} s  median ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
