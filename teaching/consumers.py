"""The class dashboard's websocket: an instructor of the class joins its group and receives its news
(teaching.live). Anyone else is refused before anything is sent; the origin is checked by layerlab.routing."""
from __future__ import annotations

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from attempts import news
from teaching.models import Classroom
from teaching.roles import is_instructor

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


class ClassConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        class_id = self.scope["url_route"]["kwargs"]["class_id"]
        if not user or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        if not await database_sync_to_async(_teaches)(user, class_id):
            await self.close(code=FORBIDDEN)
            return
        news.bind_server_loop(asyncio.get_running_loop())
        self.group = Classroom.group_of(class_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if group := getattr(self, "group", None):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """The dashboard only listens: whatever it sends is ignored."""

    async def attempt_event(self, message: dict) -> None:
        await self.send_json(message["event"])


def _teaches(user, class_id: int) -> bool:
    return is_instructor(user) and Classroom.objects.taught_by(user).filter(id=class_id).exists()
