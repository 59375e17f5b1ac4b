"""The job queue is the Attempt table.

`submit` writes an Attempt (queued) and its first event before any work starts. Workers claim queued attempts
under a lease (attempts.leases: SKIP LOCKED claims, safe across threads, processes and hosts), run them on the engine,
and store every event with a sequence number before announcing it on the channel layer, so the database is always
the source of truth and the channel layer only carries news.

Embedded by default: `WorkerPool` threads inside the server process (SANDBOX_EMBEDDED_WORKERS). Scaled out:
`manage.py sandbox_worker` on each Docker host, with PostgreSQL and channels-redis.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from queue import Empty, SimpleQueue
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attempts import leases, news, queue
from attempts.heartbeat import AttemptClock
from attempts.leases import Lease, LeaseLost
from attempts.models import Attempt, AttemptEvent, Worker
from attempts.signals import step_missed_cache
from engine.engine import Engine, EngineUnavailable, progress
from engine.facts import Advice, BuildStep, LayerProgress, LogLine, Phase, Published, StepFinished
from engine.limits import EDITOR_LIMITS as LIMITS
from engine.messages import Picked, Text, both
from engine.outcomes import INFRASTRUCTURE_FAILURES, Outcome, OutcomeKind
from grading.runner import CheckResult, GradeReport, GradingSpec, grade_stream
from grading.spec import grading_spec
from registry.publishing import BadDestination, Destination, publish_stream
from registry.registry import LearnerRegistry

log = logging.getLogger(__name__)

CANCEL_POLL = 0.5
IDLE_POLL = 1.0
BATCH_INTERVAL = 0.2  # seconds output lines wait to be sent together
BATCH_BYTES = 32 * 1024
CANCEL_GRACE = 1.0  # seconds cancelled work has to end by itself before its attempt is ended without it


class Refused(Exception):
    """A request the learner must change: `code` is the protocol's error code, `message` is in both languages."""

    def __init__(self, code: str, message: Text, attempt: int | None = None):
        super().__init__(message["en"])
        self.code = code
        self.message = message
        self.attempt = attempt

    def frame(self) -> dict[str, Any]:
        """The protocol's error frame for it."""
        frame = {"type": "error", "code": self.code, "message": self.message}
        if self.attempt:
            frame["attempt"] = self.attempt
        return frame


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ------------------------------------------------------------------------------------------------- submitting


def check_files(files: Any) -> dict[str, str]:
    """The files of a request, or Refused(bad_request) saying what is wrong with them."""
    if not isinstance(files, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise Refused("bad_request", both(_("files must map file names to text.")))
    for name, text in files.items():
        check_file_name(name)
        if not is_text(text):
            raise Refused("bad_request", both(_("{name} is not valid UTF-8 text, or holds a NUL character."),
                                              name=name))
    if "Dockerfile" not in files:
        raise Refused("bad_request", both(_("There is no Dockerfile.")))
    if len(files) > LIMITS.max_files:
        raise Refused("bad_request", both(_("At most {limit} files are allowed."), limit=LIMITS.max_files))
    sizes = {name: len(text.encode()) for name, text in files.items()}
    too_big = [name for name, size in sizes.items() if size > LIMITS.max_file_bytes]
    if too_big:
        raise Refused("bad_request", both(_("{name} is larger than {limit_kb} KB."), name=too_big[0],
                                          limit_kb=LIMITS.max_file_bytes // 1024))
    if sum(sizes.values()) > LIMITS.max_total_bytes:
        raise Refused("bad_request", both(_("The files add up to more than {limit_kb} KB."),
                                          limit_kb=LIMITS.max_total_bytes // 1024))
    return files


def check_executable(executable: Any, files: dict[str, str]) -> list[str]:
    """The paths of `files` a request marks executable (none when it leaves `executable` out), sorted, or
    Refused(bad_request) unless it is a list of names of its files."""
    if executable is None:
        return []
    if not isinstance(executable, list) or not all(isinstance(name, str) for name in executable):
        raise Refused("bad_request", both(_("executable must be a list of file names.")))
    for name in executable:
        if name not in files:
            check_file_name(name)
            raise Refused("bad_request", both(_("{name} is marked executable, but there is no such file."),
                                              name=name))
    return sorted(set(executable))


def check_file_name(name: str) -> None:
    """Refused(bad_request) unless `name` can be stored, shown and written into a build context as it is."""
    if not is_text(name):
        raise Refused("bad_request", both(
            _("The file name {name!r} is not valid UTF-8 text, or holds a NUL character."), name=name))
    if not LIMITS.allows_name(name):
        raise Refused("bad_request", both(
            _("The file name {name!r} is not allowed: use a relative path of at most {limit} characters, without "
              "'..', backslashes or control characters."), name=name, limit=LIMITS.max_name_length))


def is_text(value: str) -> bool:
    """Whether `value` is text every layer below accepts: no lone surrogates (UTF-8 cannot encode them, so neither
    the build context nor the page could hold them) and no NUL characters (PostgreSQL cannot store them)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\0" not in value


def exercises() -> models.QuerySet:
    """The course's exercises, reached through the attempt's foreign key: this app never imports the course."""
    return Attempt._meta.get_field("exercise").related_model.objects


def visible_exercise(slug: Any) -> models.Model:
    exercise = exercises().visible().filter(slug=slug).first() if isinstance(slug, str) else None
    if exercise is None:
        raise Refused("not_found", both(_("There is no such exercise.")))
    return exercise


def submit(user, exercise: models.Model, kind: str, files: dict[str, str], target: dict | None = None,
           executable: list[str] | None = None) -> Attempt:
    """Queue a try, a submit or a publish of `files`, those named in `executable` with the executable bit. One
    attempt per learner at a time: a second one is refused ("busy")."""
    files = check_files(files)
    executable = check_executable(executable, files)
    try:
        with transaction.atomic():
            # Numbered (the queue's order) while no other announcer reads the queue, so that no attempt numbered
            # before it but committed after it can overtake the place it is told.
            queue.serialized()
            attempt = Attempt.objects.create(user=user, exercise=exercise, definition=exercise.definition,
                                             kind=kind, files=files, executable=executable, target=target or {})
            announce_queue()  # in this transaction: the attempt's first event is its place in the queue
    except IntegrityError:  # the database's one_active_attempt_per_learner: one is queued or running already
        running = Attempt.objects.of(user).active().select_related("exercise").order_by("id").first()
        if running is None:
            raise
        raise Refused("busy", both(_("Your attempt #{number} at “{exercise}” is still running: wait for it or "
                                     "cancel it."), number=running.number, exercise=Picked(running.exercise.title)),
                      attempt=running.id) from None
    WorkerPool.wake_all()
    return attempt


def publish(user, source_id: Any, repository: Any, tags: Any) -> Attempt:
    """Queue a publish of what a successful attempt built, to `<registry>/<username>/<repository>:<tag>`."""
    source = owned_attempt(user, source_id)
    if source.kind == Attempt.Kind.PUBLISH or source.outcome_kind != OutcomeKind.OK:
        raise Refused("not_publishable", both(_("Only an attempt that built and ran successfully can be published.")),
                      attempt=source.id)
    try:
        destination = Destination.parse(user.get_username(), repository, tags)
    except BadDestination as bad:
        raise Refused("bad_request", bad.message) from None
    return submit(user, source.exercise, Attempt.Kind.PUBLISH, source.files, destination.as_target(source.id),
                  executable=source.executable)


def announce_queue() -> None:
    """Give each waiting attempt whose place in the queue changed a `queued` event (attempts.queue): after every
    change of the queue, once that change is committed or within its transaction."""
    with transaction.atomic():
        queue.serialized()
        for attempt, event in queue.changed_places():
            record(attempt, event)


def cancel(user, attempt_id: Any) -> Attempt:
    attempt = owned_attempt(user, attempt_id)
    if attempt.status not in Attempt.ACTIVE_STATUSES:
        raise Refused("not_running", both(_("This attempt has already ended.")), attempt=attempt.id)
    Attempt.objects.filter(id=attempt.id).update(cancel_requested=True)
    claimed = Attempt.objects.filter(id=attempt.id, status=Attempt.Status.QUEUED).update(
        status=Attempt.Status.CANCELLED, finished_at=timezone.now())
    if claimed:  # never started: nothing to stop, and the attempts behind it move up
        record(attempt, _result_event("cancelled", Outcome(OutcomeKind.CANCELLED, "build")))
        announce_queue()
    WorkerPool.cancel_locally(attempt.id)
    return attempt


def owned_attempt(user, attempt_id: Any) -> Attempt:
    attempt = Attempt.objects.filter(id=attempt_id, user=user).first() if isinstance(attempt_id, int) else None
    if attempt is None:
        raise Refused("not_found", both(_("There is no such attempt.")))
    return attempt


# ------------------------------------------------------------------------------------------------------ events


def record(attempt: Attempt, payload: dict[str, Any], lease: Lease | None = None) -> dict[str, Any]:
    """Store an event with the next sequence number, then announce it. A worker passes its lease: once the lease
    is lost, nothing it sends is stored (LeaseLost)."""
    with transaction.atomic():
        seq = leases.next_seq(attempt.id, lease)
        event = {**payload, "attempt": attempt.id, "number": attempt.number, "seq": seq}
        AttemptEvent.objects.create(attempt=attempt, seq=seq, data=event)
    transaction.on_commit(lambda: news.announce(attempt.group, event))
    return event


def notice(message: Text) -> dict[str, Any]:
    """An event that tells the learner what the service did with their attempt, in both languages."""
    return {"type": "notice", "message": message}


def events_after(attempt: Attempt, seq: int) -> list[dict[str, Any]]:
    return list(attempt.events.filter(seq__gt=seq).values_list("data", flat=True))


def _result_event(status: str, outcome: Outcome, report: GradeReport | None = None) -> dict[str, Any]:
    event = {"type": "result", "status": status, "outcome": outcome.as_dict(), "passed": None,
             "score": None, "max_score": None}
    if report is not None:
        event.update(passed=report.passed, score=report.score, max_score=report.max_score)
    return event


def as_event(item: Any) -> dict[str, Any] | None:
    """The protocol frame for something the engine or the grader yielded (None: nothing to show)."""
    if isinstance(item, BuildStep):
        return {"type": "build_step", "step": item.number, "total": item.total, "instruction": item.instruction,
                "line": item.line}
    if isinstance(item, StepFinished):
        return {"type": "step_finished", "step": item.number, "cached": item.cached, "seconds": item.seconds}
    if isinstance(item, LogLine):
        return {"type": "log", "stream": item.stream, "text": item.text}
    if isinstance(item, LayerProgress):
        return {"type": item.direction, "layer": item.layer, "status": item.status, "current": item.current,
                "total": item.total}
    if isinstance(item, Published):
        return {"type": "published", "reference": item.reference, "digest": item.digest}
    if isinstance(item, Advice):
        return notice(item.message)
    if isinstance(item, CheckResult):
        return {"type": "check", "id": item.id, "passed": item.passed, "points": item.points,
                "max_points": item.max_points, "message": item.message, "hint": item.hint}
    return None


# ----------------------------------------------------------------------------------------------------- working


def run_attempt(engine: Engine, attempt: Attempt, cancelled: threading.Event) -> None:
    """Do the work of an attempt claimed under a lease, storing every event, and finish it whatever happens, unless
    the lease is lost meanwhile: then the work stops, and the worker that took the attempt over finishes it."""
    try:
        _run_leased(engine, attempt, Lease.of(attempt), cancelled)
    except LeaseLost:
        log.warning("attempt %s was taken over by another worker; this one stops working on it", attempt.id)
        cancelled.set()  # the engine stops what it still builds or runs for it


def _run_leased(engine: Engine, attempt: Attempt, lease: Lease, cancelled: threading.Event) -> None:
    record(attempt, {"type": "started"}, lease)
    files = {path: text.encode() for path, text in attempt.files.items()}
    clock = AttemptClock()
    try:
        spec = grading_spec(attempt.exercise.slug, attempt.graded_definition)
        stream = STREAMS[attempt.kind](engine, attempt, spec, files, cancelled)
        for item in batched(pumped(stream, cancelled)):
            if isinstance(item, Phase):
                if (event := clock.entered(item)) is not None:
                    record(attempt, event, lease)
            elif (event := as_event(item)) is not None:
                clock.saw(event)
                record(attempt, event, lease)
                if event["type"] == "step_finished" and not event["cached"]:
                    _announce_cache_miss(attempt, event["step"], lease)
            elif isinstance(item, tuple):  # the final (status, outcome, report)
                _finish(attempt, *item, lease=lease)
                clock.ended()
            if (beat := clock.heartbeat()) is not None:
                record(attempt, beat, lease)
    except EngineUnavailable as error:
        log.warning("attempt %s: the engine is unavailable: %s", attempt.id, error)
        _finish(attempt, Attempt.Status.FAILED, Outcome(OutcomeKind.ENGINE_UNAVAILABLE, "build"), None, lease=lease)
    except (LeaseLost, DatabaseError):
        raise  # not the attempt's fault: with its lease unrenewed, another worker takes it back
    except Exception:
        error_id = secrets.token_hex(4)  # short enough to read out, unique enough to find in the log
        log.exception("internal error %s in attempt %s", error_id, attempt.id)
        _finish(attempt, Attempt.Status.FAILED, Outcome(OutcomeKind.INTERNAL_ERROR, "build", {"error_id": error_id}),
                None, lease=lease)


def _announce_cache_miss(attempt: Attempt, step: int, lease: Lease) -> None:
    for _receiver, answer in step_missed_cache.send(sender=Attempt, attempt=attempt, step=step):
        if answer is not None:
            record(attempt, answer, lease)


_TICK = object()  # nothing new for a while: time to send what is waiting


class _Ended:
    """The pump's last item: its stream ran out, or raised `error`."""

    def __init__(self, error: BaseException | None = None):
        self.error = error


def pumped(stream: Iterator[Any], cancelled: threading.Event) -> Iterator[Any]:
    """The items of `stream`, produced by a thread of their own, with `_TICK` whenever BATCH_INTERVAL passes
    without one. The engine then reads a container's output as fast as it comes (so its limits act at once),
    however slowly the events are stored; and a Cancel ends the attempt within CANCEL_GRACE even when the engine
    is busy in a call it cannot interrupt: the thread winds the stream down on its own (its clean-up included)
    while nobody waits for it."""
    items: SimpleQueue = SimpleQueue()

    def pump() -> None:
        ended = _Ended()
        try:
            for item in stream:
                items.put(item)
        except BaseException as error:  # handed to the reader, who raises it in the worker's thread
            ended = _Ended(error)
        finally:
            items.put(ended)
            connection.close()  # this thread's own database connection, if the stream made one

    threading.Thread(target=pump, name="sandbox-pump", daemon=True).start()
    cancel_seen: float | None = None
    while True:
        try:
            item = items.get(timeout=BATCH_INTERVAL)
        except Empty:
            item = _TICK
        if isinstance(item, _Ended):
            if item.error is not None:
                raise item.error
            return
        if cancelled.is_set():
            cancel_seen = cancel_seen or time.monotonic()
            if time.monotonic() - cancel_seen > CANCEL_GRACE:
                log.warning("cancelled work is still winding down; its attempt ends now")
                yield Attempt.Status.CANCELLED, Outcome(OutcomeKind.CANCELLED, "build"), None
                return
        yield item


def batched(items: Iterator[Any]) -> Iterator[Any]:
    """Consecutive log lines of one stream joined into one, at most every BATCH_INTERVAL (and BATCH_BYTES): a
    flood of output becomes a few events instead of one stored row and one frame per line."""
    waiting: list[LogLine] = []
    since = 0.0
    size = 0
    for item in items:
        if isinstance(item, LogLine) and (not waiting or waiting[0].stream == item.stream):
            if not waiting:
                since, size = time.monotonic(), 0
            waiting.append(item)
            size += len(item.text)
            if time.monotonic() - since < BATCH_INTERVAL and size < BATCH_BYTES:
                continue
            item = _TICK
        if waiting:
            yield _joined(waiting)
            waiting = []
        if isinstance(item, LogLine):
            waiting, since, size = [item], time.monotonic(), len(item.text)
        else:
            yield item  # ticks too: the attempt's clock tells the time by them while nothing else comes
    if waiting:
        yield _joined(waiting)


def _joined(lines: list[LogLine]) -> LogLine:
    return LogLine(lines[0].stream, "\n".join(line.text for line in lines))


def _submit_stream(engine: Engine, attempt: Attempt, spec: GradingSpec, files, cancelled) -> Iterator[Any]:
    failed = Attempt.objects.graded().of(attempt.user).filter(exercise=attempt.exercise, passed=False).count()
    for item in grade_stream(engine, spec, files, executable=attempt.executable, attempt_id=attempt.sandbox_id,
                             failed_attempts=failed, cancel=cancelled,
                             registry=LearnerRegistry(attempt.user.get_username())):
        if isinstance(item, GradeReport):
            yield _status_of(item.outcome), item.outcome, item
        else:
            yield item


def _try_stream(engine: Engine, attempt: Attempt, spec: GradingSpec, files, cancelled) -> Iterator[Any]:
    limits = spec.limits_on(engine)
    build = yield from progress(engine.build(files, allowed_bases=spec.bases, executable=attempt.executable,
                                             attempt_id=attempt.sandbox_id, limits=limits, cancel=cancelled),
                                Phase("build", limits.build_timeout))
    if not build.outcome.ok:
        yield _status_of(build.outcome), build.outcome, None
        return
    try:
        if cancelled.is_set():  # cancelled, or its lease lost, as the build ended: no container for it
            yield Attempt.Status.CANCELLED, Outcome(OutcomeKind.CANCELLED, "run"), None
            return
        run = yield from progress(engine.run(build.image, as_root=spec.run_as_root, limits=limits, cancel=cancelled),
                                  Phase("run", limits.run_timeout))
        yield _status_of(run.outcome), run.outcome, None
    finally:
        engine.discard(build)


def _publish_stream(engine: Engine, attempt: Attempt, spec: GradingSpec, files, cancelled) -> Iterator[Any]:
    outcome = yield from publish_stream(
        engine, attempt.user.get_username(), files, Destination.from_target(attempt.target), bases=spec.bases,
        executable=attempt.executable, limits=spec.limits_on(engine), attempt_id=attempt.sandbox_id,
        cancel=cancelled)
    yield _status_of(outcome), outcome, None


STREAMS = {
    Attempt.Kind.TRY: _try_stream,
    Attempt.Kind.SUBMIT: _submit_stream,
    Attempt.Kind.PUBLISH: _publish_stream,
    Attempt.Kind.REGRADE: _submit_stream,  # the submission's files, graded like one against today's definition
}


def _status_of(outcome: Outcome) -> str:
    if outcome.kind is OutcomeKind.CANCELLED:
        return Attempt.Status.CANCELLED
    if outcome.kind in INFRASTRUCTURE_FAILURES:
        return Attempt.Status.FAILED
    return Attempt.Status.FINISHED


def _finish(attempt: Attempt, status: str, outcome: Outcome, report: GradeReport | None, *,
            lease: Lease | None = None) -> None:
    """End the attempt and store its result, in one transaction: only while `lease` is held (else LeaseLost), so
    that an attempt is ended once whoever else tries."""
    with transaction.atomic():
        ended = Attempt.objects.filter(lease.held() if lease else Q(id=attempt.id)).update(
            status=status, outcome_kind=outcome.kind.value, finished_at=timezone.now(), lease_expires_at=None,
            passed=report.passed if report else None,
            score=report.score if report else None,
            max_score=report.max_score if report else None,
        )
        if not ended:
            raise LeaseLost(attempt.id)
        record(attempt, _result_event(status, outcome, report))


def take_back(lease: Lease) -> bool:
    """End or requeue the attempt of a worker that stopped renewing `lease`: cancelled if the learner asked for it,
    queued again the first time (saying so in its stream), failed with a plain message the second. False when it
    was no longer that lease's: another worker took it back first, or its own worker finished it after all."""
    with transaction.atomic():
        attempt = leases.take_back(lease)
        if attempt is None:
            return False
        if attempt.cancel_requested:
            _finish(attempt, Attempt.Status.CANCELLED, Outcome(OutcomeKind.CANCELLED, "build"), None, lease=lease)
        elif attempt.restarts == 0:
            Attempt.objects.filter(lease.held()).update(status=Attempt.Status.QUEUED, worker="", restarts=1,
                                                        lease_expires_at=None)
            record(attempt, notice(both(_("The worker running this attempt stopped; the attempt has been queued "
                                          "again and starts over."))))
            announce_queue()
        else:
            record(attempt, notice(both(_("The worker running this attempt stopped again, so it has not been "
                                          "graded and does not count against you. Please try again."))))
            _finish(attempt, Attempt.Status.FAILED, Outcome(OutcomeKind.ENGINE_UNAVAILABLE, "build"), None,
                    lease=lease)
    WorkerPool.wake_all()
    return True


def requeue_expired() -> int:
    """Take back every attempt whose lease ran out, whichever worker held it: any worker may call this."""
    return sum(take_back(lease) for lease in leases.expired())


def recover_interrupted(host: str, alive: str) -> int:
    """Attempts left running by a process of this host that is gone, taken back at once rather than when their
    leases run out: a restarted server knows its earlier self is dead. Other live workers of the host keep theirs."""
    running = Attempt.objects.filter(status=Attempt.Status.RUNNING, worker__startswith=f"{host}:").exclude(worker=alive)
    return sum(take_back(Lease.of(attempt)) for attempt in running if not _process_exists(attempt.worker))


def _process_exists(worker: str) -> bool:
    """Whether the process a worker name (`host:pid`, of this host) stands for still runs."""
    pid = worker.rpartition(":")[2]
    return pid.isdigit() and os.path.exists(f"/proc/{pid}")


class WorkerPool:
    """Worker threads that claim and run attempts, and one keeper thread that renews their leases, passes on
    cancels, beats the pool's heartbeat and takes back the attempts of workers that died; one pool per process."""

    _pools: list[WorkerPool] = []

    def __init__(self, size: int, engine_factory=Engine.from_settings, engine_host: str | None = None):
        self.size = size
        self.engine_factory = engine_factory
        self.engine_host = engine_host or settings.SANDBOX_DOCKER_HOST
        self.name = worker_name()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.cancels: dict[int, threading.Event] = {}
        self.leases: dict[int, Lease] = {}
        self.threads: list[threading.Thread] = []

    def start(self) -> WorkerPool:
        recovered = recover_interrupted(socket.gethostname(), self.name)
        if recovered:
            log.warning("recovered %s attempt(s) interrupted by a restart", recovered)
        leases.heartbeat(self.name, self.engine_host)
        WorkerPool._pools.append(self)
        for number in range(self.size):
            self._start_thread(self._work, f"sandbox-worker-{number}")
        self._start_thread(self._keep, "sandbox-leases")
        return self

    def _start_thread(self, target, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
        for thread in self.threads:
            thread.join()
        WorkerPool._pools.remove(self)
        Worker.objects.filter(name=self.name).delete()

    @classmethod
    def wake_all(cls) -> None:
        for pool in cls._pools:
            pool.wake.set()

    @classmethod
    def cancel_locally(cls, attempt_id: int) -> None:
        for pool in cls._pools:
            if event := pool.cancels.get(attempt_id):
                event.set()

    def _work(self) -> None:
        engine = self.engine_factory()
        try:
            while not self.stopping.is_set():
                try:
                    self._work_once(engine)
                except DatabaseError as error:  # the database restarting: the attempt's lease runs out, and
                    log.warning("worker: the database is unavailable: %s", error)  # another worker takes it back
                    self.stopping.wait(IDLE_POLL)
        finally:
            connection.close()  # this thread's own, kept open between attempts (CONN_MAX_AGE)

    def _work_once(self, engine: Engine) -> None:
        close_old_connections()
        attempt = leases.claim_next(self.name)
        if attempt is None:
            self.wake.wait(IDLE_POLL)
            self.wake.clear()
            return
        try:
            announce_queue()  # the attempts behind it move up
        except DatabaseError as error:  # they are told at the next change; this attempt runs all the same
            log.warning("worker: the queue's positions could not be told: %s", error)
        cancelled = self.cancels.setdefault(attempt.id, threading.Event())
        self.leases[attempt.id] = Lease.of(attempt)
        try:
            run_attempt(engine, attempt, cancelled)
        finally:
            self.leases.pop(attempt.id, None)
            self.cancels.pop(attempt.id, None)

    def _keep(self) -> None:
        renewed = time.monotonic()
        while not self.stopping.wait(CANCEL_POLL):
            try:
                close_old_connections()
                self._pass_on_cancels()
                if time.monotonic() - renewed >= leases.renew_interval():
                    renewed = time.monotonic()
                    self._renew()
            except DatabaseError as error:
                log.warning("lease keeper: the database is unavailable: %s", error)
        connection.close()

    def _pass_on_cancels(self) -> None:
        """Cancels asked through another process (another web server, on any host) reach this one through the
        database."""
        if running := list(self.cancels):
            for attempt_id in Attempt.objects.filter(id__in=running, cancel_requested=True).values_list("id",
                                                                                                          flat=True):
                self.cancels[attempt_id].set()

    def _renew(self) -> None:
        for lost in leases.renew(list(self.leases.values())):
            log.warning("attempt %s: its lease was lost; stopping its work", lost.attempt_id)
            if event := self.cancels.get(lost.attempt_id):
                event.set()
        leases.heartbeat(self.name, self.engine_host)
        if taken_back := requeue_expired():
            log.warning("took back %s attempt(s) whose worker stopped renewing its lease", taken_back)


_embedded: WorkerPool | None = None


def start_embedded_workers() -> None:
    """The default deployment: worker threads inside the web server (SANDBOX_EMBEDDED_WORKERS)."""
    global _embedded
    if _embedded is None and settings.SANDBOX_EMBEDDED_WORKERS:
        _embedded = WorkerPool(settings.SANDBOX_WORKERS).start()
