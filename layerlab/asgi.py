"""ASGI entry point: Daphne serves HTTP (Django) and websockets (Channels) from this one application.

Importing it also starts the process's background work: the sandbox workers (unless SANDBOX_EMBEDDED_WORKERS is
false) and the periodic sweep of sandbox leftovers.
"""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "layerlab.settings")
django_http = get_asgi_application()  # sets Django up before anything imports models

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from attempts.jobs import start_embedded_workers  # noqa: E402
from attempts.sweeper import start_periodic_sweep  # noqa: E402
from layerlab.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_http) if settings.SERVE_STATIC else django_http,
        "websocket": websocket_application(),
    }
)

start_periodic_sweep()
start_embedded_workers()
