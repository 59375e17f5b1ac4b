"""Websocket routes, wrapped in what every socket needs: the session user and an origin check."""
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

from attempts.routing import websocket_urlpatterns
from teaching.routing import websocket_urlpatterns as teaching_websockets


def websocket_application():
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns + teaching_websockets)))
