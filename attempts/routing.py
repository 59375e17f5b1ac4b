"""Where the sandbox websocket lives: the routes, and the path the exercise page is told to connect to."""
from django.urls import path

from attempts.consumers import SandboxConsumer

SANDBOX_SOCKET_PATH = "ws/sandbox/"

websocket_urlpatterns = [
    path(SANDBOX_SOCKET_PATH, SandboxConsumer.as_asgi()),
]
