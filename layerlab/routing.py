"""Websocket routes, wrapped in what every socket needs: the session user and an origin check."""
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from sandbox.consumers import SandboxConsumer

SANDBOX_SOCKET_PATH = "ws/sandbox/"  # the exercise page is told where it is

websocket_urlpatterns = [
    path(SANDBOX_SOCKET_PATH, SandboxConsumer.as_asgi()),
]


def websocket_application():
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
