"""Whether the sandbox engine answers, asked at most once every few seconds so that pages can show it cheaply."""
import functools
import time
from dataclasses import dataclass

from django.conf import settings

from engine.client import engine_errors
from engine.engine import Engine, EngineUnavailable

CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class EngineStatus:
    available: bool
    version: str = ""
    problem: str = ""


_cache: dict[str, tuple[float, EngineStatus]] = {}


@functools.cache
def _engine_at(docker_host: str) -> Engine:
    """One client per engine for the whole process: making one asks the daemon its version already."""
    return Engine(docker_host)


def engine_status(engine: Engine | None = None) -> EngineStatus:
    engine = engine or _engine_at(settings.SANDBOX_DOCKER_HOST)
    cached = _cache.get(engine.docker_host)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    try:
        status = EngineStatus(True, version=engine.version().get("Version", "?"))
    except EngineUnavailable as error:
        status = EngineStatus(False, problem=str(error))
    _cache[engine.docker_host] = (time.monotonic(), status)
    return status


def engine_usage(engine: Engine) -> dict[str, int]:
    """How many images the engine keeps and the disk its layers take, for the staff's health report."""
    with engine_errors():
        usage = engine.client.api.df()
    return {"images": len(usage.get("Images") or []), "layers_bytes": usage.get("LayersSize") or 0}
