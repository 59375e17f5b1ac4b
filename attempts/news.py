"""Announcing attempt events on the channel layer, from whatever thread or process produced them.

With channels-redis the layer is reached over the network from anywhere. The in-memory layer lives inside the
server's event loop, and asyncio queues are not thread-safe: worker threads hand the message to that loop instead.
"""
import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

_server_loop: asyncio.AbstractEventLoop | None = None


def bind_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Called by the consumer: the loop its in-memory channel layer runs in."""
    global _server_loop
    _server_loop = loop


def announce(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    message = {"type": "attempt.event", "event": event}
    if not isinstance(layer, InMemoryChannelLayer):
        async_to_sync(layer.group_send)(group, message)
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
