"""How many accounts one address may create: settings.SIGN_UPS_PER_ADDRESS_PER_HOUR, counted in Django's cache
(per process unless the cache is shared), for the client address the login throttle sees. Each account gets a
registry quota, so accounts must not be made by the thousand."""
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

WINDOW = 3600  # seconds, from an address's first sign-up


def _key(request: HttpRequest) -> str:
    return f"sign-ups:{get_client_ip_address(request)}"


def allowed(request: HttpRequest) -> bool:
    return cache.get(_key(request), 0) < settings.SIGN_UPS_PER_ADDRESS_PER_HOUR


def record(request: HttpRequest) -> None:
    if not cache.add(_key(request), 1, WINDOW):
        cache.incr(_key(request))
