"""The periodic sweep: removes what crashed jobs left on the engine, from a thread of the server process.

`manage.py sandbox_reap` does the same once, for cron or for scaled-out hosts that run no web server.
"""
import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from attempts.health import last_sweep_key
from engine.engine import Engine, EngineUnavailable, ReapReport
from engine.limits import MB
from registry.registry import collect_garbage

log = logging.getLogger(__name__)
_started = threading.Event()


def sweep_once(engine: Engine | None = None, *, older_than: float | None = None) -> ReapReport:
    """One sweep with the configured age and cache budget (`older_than` overrides the age)."""
    engine = engine or Engine.from_settings()
    report = engine.reap(
        older_than=settings.SANDBOX_REAP_AFTER if older_than is None else older_than,
        cache_budget_bytes=settings.SANDBOX_CACHE_BUDGET_MB * MB,
    )
    # In the shared cache where there is one, so that any web server's health report sees every engine's.
    cache.set(last_sweep_key(engine.docker_host), timezone.now().isoformat(), timeout=None)
    return report


def sweep_every(interval: float, stop: threading.Event) -> None:
    """Sweep every `interval` seconds until `stop` is set; the registry's garbage goes every REGISTRY_GC_EVERY."""
    engine = Engine.from_settings()
    sweeps = 0
    while not stop.wait(interval):
        sweeps += 1
        if sweeps % settings.REGISTRY_GC_EVERY == 0:
            log.info("registry garbage collection: %s", collect_garbage())
        try:
            report = sweep_once(engine)
        except EngineUnavailable as error:
            log.warning("sandbox sweep skipped: %s", error)
            continue
        if report.containers or report.images or report.dangling:
            log.info("sandbox sweep removed %s", report)


def start_periodic_sweep() -> None:
    """Start the sweep thread once per process; SANDBOX_REAP_INTERVAL=0 turns it off."""
    interval = settings.SANDBOX_REAP_INTERVAL
    if interval <= 0 or _started.is_set():
        return
    _started.set()
    never = threading.Event()
    threading.Thread(target=sweep_every, args=(interval, never), daemon=True, name="sandbox-sweep").start()
