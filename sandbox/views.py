"""The registry's token realm (docs: sandbox/registry.py)."""
import base64
import binascii

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from sandbox import registry
from sandbox.models import RegistryPassword

# Wrong passwords allowed per user name and address before the realm stops checking them for a while: it accepts
# site passwords, so it must not become a place to guess them quickly.
FAILED_LOGINS_ALLOWED = 10
FAILED_LOGINS_WINDOW = 300  # seconds


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


def _user_for(request: HttpRequest, username: str, password: str):
    """A learner's registry password (fast, and what `docker login` should use), the site's own short-lived
    credential for the daemon that publishes for them, or their site password."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is not None and (RegistryPassword.matches(user, password)
                             or registry.is_service_credential(username, password)):
        return user
    return authenticate(request, username=username, password=password)


@require_GET
def registry_token(request: HttpRequest) -> JsonResponse:
    credentials = _basic_credentials(request)
    if credentials is None:
        return _errors(401, "UNAUTHORIZED", "Log in first: docker login with your course username.",
                       WWW_Authenticate='Basic realm="Layerlab registry"')
    failures_key = f"registry-login-failures:{credentials[0]}:{request.META.get('REMOTE_ADDR', '')}"
    if cache.get(failures_key, 0) >= FAILED_LOGINS_ALLOWED:
        return _errors(429, "TOOMANYREQUESTS", "Too many wrong passwords: wait a few minutes, then try again.")
    user = _user_for(request, *credentials)
    if user is None:
        cache.add(failures_key, 0, FAILED_LOGINS_WINDOW)
        cache.incr(failures_key)
        return _errors(401, "UNAUTHORIZED", "Wrong username or password.")
    if request.GET.get("service") != registry.SERVICE:
        return _errors(400, "UNSUPPORTED", f"This realm issues tokens for {registry.SERVICE} only.")
    grants = []
    for text in request.GET.getlist("scope"):
        scope = registry.Scope.parse(text)
        if scope is None:
            continue
        actions = registry.granted(user, scope)
        if "push" in scope.actions and "push" not in actions and scope.name.startswith(f"{user.get_username()}/"):
            return _errors(403, "DENIED", registry.quota_outcome(user.get_username()).message("en"))
        grants.append((scope, actions))
    token = registry.issue_token(user.get_username(), grants)
    return JsonResponse({"token": token, "access_token": token, "expires_in": 300,
                         "issued_at": timezone.now().isoformat()})
