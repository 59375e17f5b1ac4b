"""The sandbox's health for staff, computed once here and shown by the JSON endpoint, the staff page and
`manage.py sandbox_check`: each engine, each worker's last heartbeat, the queue, the database, Redis, the registry.

Every probe has a short timeout and reports a failure as data, so the report comes back even when half of what it
describes is down: that is when it is read.
"""
from __future__ import annotations

import datetime
from typing import Any

import redis
import requests
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.utils import timezone

from attempts.models import Attempt, Worker
from engine.engine import Engine, EngineUnavailable
from engine.status import engine_status, engine_usage

PROBE_TIMEOUT = 2.0


def last_sweep_key(docker_host: str) -> str:
    return f"sandbox:last-sweep:{docker_host}"


def health() -> dict[str, Any]:
    now = timezone.now()
    report: dict[str, Any] = {"checked_at": now.isoformat(), "database": _database(), "redis": _redis(),
                              "registry": _registry()}
    if not report["database"]["ok"]:
        return {**report, "queue": None, "workers": [], "engines": [_engine(settings.SANDBOX_DOCKER_HOST)]}
    workers = list(Worker.objects.order_by("engine", "name"))
    hosts = sorted({settings.SANDBOX_DOCKER_HOST, *(worker.engine for worker in workers)})
    queue = _queue(now)
    return {**report, "queue": queue, "workers": [_worker(worker, now, queue["running"]) for worker in workers],
            "engines": [_engine(host) for host in hosts]}


def healthy(report: dict[str, Any]) -> bool:
    return (report["database"]["ok"] and report["redis"]["ok"] is not False
            and all(engine["reachable"] for engine in report["engines"]))


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except DatabaseError as error:
        return {"ok": False, "vendor": connection.vendor, "problem": str(error).splitlines()[0]}


def _redis() -> dict[str, Any]:
    """None for "ok" where there is no Redis (the embedded set-up), else whether it answers."""
    if settings.REDIS_URL is None:
        return {"ok": None, "problem": "not configured: in-memory channel layer and cache"}
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=PROBE_TIMEOUT,
                                      socket_connect_timeout=PROBE_TIMEOUT)
        return {"ok": bool(client.ping())}
    except redis.RedisError as error:
        return {"ok": False, "problem": str(error)}


def _registry() -> dict[str, Any]:
    try:
        answer = requests.get(f"http://{settings.REGISTRY_HOST}/v2/", timeout=PROBE_TIMEOUT)
        return {"ok": answer.status_code in (200, 401), "host": settings.REGISTRY_HOST}
    except requests.RequestException as error:
        return {"ok": False, "host": settings.REGISTRY_HOST, "problem": type(error).__name__}


def _queue(now: datetime.datetime) -> dict[str, Any]:
    queued = Attempt.objects.filter(status=Attempt.Status.QUEUED).aggregate(length=Count("id"),
                                                                              oldest=Min("created_at"))
    running = (Attempt.objects.filter(status=Attempt.Status.RUNNING).values("worker").annotate(count=Count("id"))
               .order_by("worker"))
    oldest = queued["oldest"]
    return {"length": queued["length"], "oldest_seconds": round((now - oldest).total_seconds(), 1) if oldest else None,
            "running": {row["worker"]: row["count"] for row in running}}


def _worker(worker: Worker, now: datetime.datetime, running: dict[str, int]) -> dict[str, Any]:
    silent = (now - worker.heartbeat_at).total_seconds()
    return {"name": worker.name, "engine": worker.engine, "heartbeat_at": worker.heartbeat_at.isoformat(),
            "seconds_since_heartbeat": round(silent, 1), "alive": silent < settings.SANDBOX_LEASE_SECONDS,
            "running": running.get(worker.name, 0)}


def _engine(docker_host: str) -> dict[str, Any]:
    status = engine_status(Engine(docker_host))
    report: dict[str, Any] = {"docker_host": docker_host, "reachable": status.available, "version": status.version,
                              "problem": status.problem, "last_sweep": cache.get(last_sweep_key(docker_host))}
    if status.available:
        try:
            report.update(engine_usage(Engine(docker_host)))
        except EngineUnavailable as error:
            report.update(reachable=False, problem=str(error))
    return report
