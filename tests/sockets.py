"""The sandbox websocket as a test drives it: a logged-in socket, frames until one kind arrives, and worker
threads in the test process."""
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client

from attempts import jobs
from engine.engine import Engine
from layerlab.routing import websocket_application

ORIGIN = (b"origin", b"http://127.0.0.1")


def in_a_thread(function):
    """Run blocking set-up off the test's event loop, where Django refuses database calls."""
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(function).result()


def start_workers(engine_factory, size=2) -> jobs.WorkerPool:
    return in_a_thread(jobs.WorkerPool(size, engine_factory=engine_factory).start)


@contextmanager
def running_workers(real_engine: Engine, size: int) -> Iterator[jobs.WorkerPool]:
    """Worker threads in this process, on an engine like the tests' own, stopped afterwards."""
    pool = start_workers(lambda: Engine(real_engine.docker_host, real_engine.limits), size)
    try:
        yield pool
    finally:
        in_a_thread(pool.stop)


def session_cookie(username: str) -> bytes:
    user = User.objects.get_or_create(username=username)[0]
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(username: str = "ada", origin=ORIGIN) -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie)(username)
    communicator = WebsocketCommunicator(websocket_application(), "/ws/sandbox/",
                                         headers=[origin, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def frames_until(communicator, kind: str, timeout: float = 90) -> list[dict]:
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        if frame["type"] == kind:
            return frames
