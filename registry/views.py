"""The registry's token realm (docs: registry/registry.py)."""
import base64
import binascii
import math

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from registry import registry, throttle


def _errors(status: int, code: str, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"errors": [{"code": code, "message": message}]}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return username, password


@require_GET
def registry_token(request: HttpRequest) -> JsonResponse:
    credentials = _basic_credentials(request)
    if credentials is None:
        return _errors(401, "UNAUTHORIZED", "Log in first: docker login with your course username.",
                       WWW_Authenticate='Basic realm="Layerlab registry"')
    try:
        user = registry.registry_user(request, *credentials)
    except registry.TooManyFailures as throttled:
        seconds = throttle.retry_after(throttled.wait)
        return _errors(429, "TOOMANYREQUESTS", f"Too many wrong passwords: try again in {math.ceil(seconds / 60)} min.",
                       Retry_After=str(seconds))
    if user is None:
        return _errors(401, "UNAUTHORIZED", "Wrong username or password.")
    if request.GET.get("service") != registry.SERVICE:
        return _errors(400, "UNSUPPORTED", f"This realm issues tokens for {registry.SERVICE} only.")
    scopes = [scope for text in request.GET.getlist("scope") if (scope := registry.Scope.parse(text))]
    try:
        grants = [(scope, registry.granted(user, scope)) for scope in scopes]
    except registry.QuotaFull as full:
        return _errors(403, "DENIED", str(full))
    token = registry.issue_token(user.get_username(), grants)
    return JsonResponse({"token": token, "access_token": token,
                         "expires_in": int(registry.TOKEN_LIFETIME.total_seconds()),
                         "issued_at": timezone.now().isoformat()})
