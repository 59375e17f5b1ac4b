"""Announcing attempt events on the channel layer, from whatever thread or process produced them.

With channels-redis the layer is reached over the network from anywhere, through one event loop per process kept in
a thread of its own: channels-redis keeps a connection pool per loop, so a loop per announcement (async_to_sync)
would connect to Redis anew for every event, eight times the cost of the announcement itself. The in-memory layer
lives inside the server's event loop, and asyncio queues are not thread-safe: worker threads hand the message to
that loop instead.

News is only news: the event is stored before it is announced, and a page that missed it replays it on subscribe.
So an announcement that fails (Redis restarting) is logged and dropped, never an error of the attempt.
"""
import asyncio
import logging
import threading
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

_server_loop: asyncio.AbstractEventLoop | None = None
_news_loop: asyncio.AbstractEventLoop | None = None
_news_loop_lock = threading.Lock()


def bind_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the consumer: the loop its in-memory channel layer runs in."""
    global _server_loop
    _server_loop = loop


def announce(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    message = {"type": "attempt.event", "event": event}
    if not isinstance(layer, InMemoryChannelLayer):
        try:
            asyncio.run_coroutine_threadsafe(layer.group_send(group, message), _loop_for_news()).result()
        except Exception as error:  # whatever the layer raises: the stored event is replayed on subscribe
            log.warning("could not announce event %s of %s: %r", event.get("seq"), group, error)
        return
    loop = _server_loop
    if loop is None or loop.is_closed():
        return  # no websocket in this process has ever listened: the stored event is replayed on subscribe
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        loop.create_task(layer.group_send(group, message))
    else:
        asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop)


def _loop_for_news() -> asyncio.AbstractEventLoop:
    """This process's loop for announcing on a network channel layer, started on first use."""
    global _news_loop
    with _news_loop_lock:
        if _news_loop is None:
            _news_loop = asyncio.new_event_loop()
            threading.Thread(target=_news_loop.run_forever, name="channel-layer-news", daemon=True).start()
        return _news_loop
