"""Websocket routes, wrapped in what every socket needs: the session user and an origin check."""
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from sandbox.consumers import SandboxConsumer

websocket_urlpatterns = [
    path("ws/sandbox/", SandboxConsumer.as_asgi()),
]


def websocket_application():
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
