"""The registry's token realm (docs: registry/registry.py), and the account page's part: a learner's
registry password, their images and deleting one."""
import base64
import binascii
import math

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine.limits import MB
from engine.references import DIGEST, REPOSITORY, short_digest
from registry import registry, throttle
from registry.models import RegistryPassword


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


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The learner's account page: their registry namespace, what it holds, and the password `docker login`
    should use."""
    new_password = RegistryPassword.rotate(request.user) if request.method == "POST" else None
    username = request.user.get_username()
    try:
        images = registry.RegistryClient().images(username)
    except requests.RequestException:
        images = None  # the page says the registry is not answering
    return render(request, "registration/profile.html", {
        "registry_host": settings.REGISTRY_HOST,
        "namespace": username,
        "images": images,
        "used_mb": registry.namespace_usage(username) / MB,
        "quota_mb": settings.REGISTRY_QUOTA_MB,
        "has_password": RegistryPassword.objects.filter(user=request.user).exists(),
        "new_password": new_password,
    })


@login_required
@require_POST
def delete_image(request: HttpRequest) -> HttpResponse:
    """Delete one of the learner's images (all its tags) from the course registry, to free their quota."""
    repository, digest = request.POST.get("repository", ""), request.POST.get("digest", "")
    if not (registry.in_namespace(repository, request.user.get_username()) and REPOSITORY.match(repository)
            and DIGEST.match(digest)):
        raise Http404("no such image in your namespace")
    try:
        registry.RegistryClient().delete_image(repository, digest)
    except requests.RequestException:
        messages.error(request, _("The course registry is not available right now; nothing was deleted."))
    else:
        messages.success(request, _("Deleted %(image)s.") % {"image": f"{repository}@{short_digest(digest)}"})
    return redirect("profile")
