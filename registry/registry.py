"""The course registry's token server: who may push or pull what, as signed JWTs the registry trusts.

The registry (Docker's distribution, `auth: token`) sends every client without a token to our realm; the client
asks the realm with its course credentials for a scope such as `repository:alice/hello:push,pull`; we answer with
a JWT naming the actions granted, signed with a key whose certificate the registry was started with. Learners get
their own namespace (`<username>/*`); instructors may also pull their learners' repositories; nobody else gets
anything, and anonymous requests are refused.

Settings: REGISTRY_HOST (host:port the registry listens on), REGISTRY_REALM (the token URL the registry
advertises), REGISTRY_QUOTA_MB (storage per learner), REGISTRY_DATA_DIR (its storage and our keys).
"""
from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import json
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core import signing

from engine.limits import MB
from engine.outcomes import Outcome, OutcomeKind
from engine.references import REPOSITORY
from registry import throttle
from registry.models import RegistryPassword
from registry.references import can_name_namespace

SERVICE = "layerlab-registry"
ISSUER = "layerlab"
TOKEN_LIFETIME = datetime.timedelta(minutes=5)
INSTRUCTORS_GROUP = "instructors"
ACTIONS = {"push", "pull"}
SERVICE_CREDENTIAL_SALT = "layerlab.registry.service-credential"
SERVICE_CREDENTIAL_LIFETIME = datetime.timedelta(minutes=30)


# --------------------------------------------------------------------------------------------------- the keys


@dataclass(frozen=True)
class SigningKey:
    private_pem: bytes
    certificate_pem: bytes
    key_id: str


def key_directory() -> Path:
    return Path(settings.REGISTRY_DATA_DIR) / "token-keys"


def signing_key() -> SigningKey:
    """The token-signing key and its certificate, made on first use and kept out of git (mode 600)."""
    folder = key_directory()
    if not (folder / "token.key").exists():
        folder.mkdir(parents=True, exist_ok=True)
        private, certificate = _new_key()
        (folder / "token.key").touch(mode=0o600)
        (folder / "token.key").write_bytes(private)
        (folder / "token.crt").write_bytes(certificate)
    return _load_key(folder)


@functools.cache
def _load_key(folder: Path) -> SigningKey:
    # Every token is signed with it, and the site asks for several per page: read and parse it once. A key, once
    # written, is never replaced.
    private = (folder / "token.key").read_bytes()
    public = serialization.load_pem_private_key(private, password=None).public_key()
    return SigningKey(private, (folder / "token.crt").read_bytes(), libtrust_key_id(public))


def _new_key() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Layerlab registry tokens")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650)).sign(key, hashes.SHA256())
    )
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return private, certificate.public_bytes(serialization.Encoding.PEM)


def libtrust_key_id(public_key) -> str:
    """The key id the registry derives from a trusted certificate: SHA-256 of the DER public key, its first 240
    bits in base32, in twelve groups of four joined by colons."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    encoded = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(encoded[i:i + 4] for i in range(0, len(encoded), 4))


# --------------------------------------------------------------------------------------------- who is asking

class TooManyFailures(Exception):
    """The login throttle makes this user name or address wait before its next password is checked."""

    def __init__(self, wait: datetime.timedelta):
        super().__init__(f"wait {wait}")
        self.wait = wait


def registry_user(request, username: str, password: str):
    """The active user the credentials are for, or None: their registry password (fast, and what `docker login`
    should use), the site's short-lived service credential for the daemon that publishes for them, or their site
    password. The realm accepts site passwords, so it shares the site's login throttle (registry.throttle):
    TooManyFailures while that makes the client wait, before any password is checked."""
    if len(username) > get_user_model()._meta.get_field("username").max_length:
        return None  # no such user, as the login form would say before counting anything
    wait = throttle.wait_before_login(request, username)
    if wait > throttle.NO_WAIT:
        raise TooManyFailures(wait)
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not (RegistryPassword.matches(user, password) or is_service_credential(username, password)):
        user = authenticate(request, username=username, password=password)  # a failure is counted by the throttle
    if user is not None:
        throttle.forget_failures(request, username)
    return user


# ---------------------------------------------------------------------------------------- service credentials


def service_credentials(username: str) -> tuple[str, str]:
    """What the site gives the Docker daemon to push or pull for a learner: their username and a signed, short-lived
    password that the realm accepts for that username only, so the daemon gets exactly the learner's rights."""
    return username, signing.dumps(username, salt=SERVICE_CREDENTIAL_SALT)


def is_service_credential(username: str, password: str) -> bool:
    try:
        signed_for = signing.loads(password, salt=SERVICE_CREDENTIAL_SALT,
                                   max_age=SERVICE_CREDENTIAL_LIFETIME.total_seconds())
    except signing.BadSignature:
        return False
    return signed_for == username


@dataclass(frozen=True)
class LearnerRegistry:
    """One learner's namespace in the course registry, as grading reads it (grading.runner.LearnersRegistry)."""

    namespace: str

    def reference(self, repository: str, tag_or_digest: str) -> str:
        return reference(self.namespace, repository, tag_or_digest)

    def credentials(self) -> tuple[str, str]:
        return service_credentials(self.namespace)

    def client(self) -> RegistryClient:
        return RegistryClient()


def reference(namespace: str, repository: str, tag_or_digest: str) -> str:
    """`<registry>/<namespace>/<repository>:<tag>`, or `...@<digest>` for a digest."""
    separator = "@" if tag_or_digest.startswith("sha256:") else ":"
    return f"{settings.REGISTRY_HOST}/{namespace}/{repository}{separator}{tag_or_digest}"


# --------------------------------------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    kind: str  # "repository" ("registry" for the site's own catalog requests)
    name: str  # "alice/hello"
    actions: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        kind, _, rest = text.partition(":")
        name, _, actions = rest.rpartition(":")
        if kind != "repository" or not REPOSITORY.match(name):
            return None
        return cls(kind, name, frozenset(actions.split(",")) & ACTIONS)


def in_namespace(name: str, namespace: str) -> bool:
    """Whether the repository `name` ("alice/hello") lies in `namespace` ("alice")."""
    return name.split("/", 1)[0] == namespace


class QuotaFull(Exception):
    """A learner asked to push into their own namespace while it is full."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.message("en"))
        self.outcome = outcome


def granted(user, scope: Scope) -> frozenset[str]:
    """The actions `user` may take on the repository of `scope`; QuotaFull when they ask to push into their own
    namespace and it is full."""
    if in_namespace(scope.name, user.get_username()) and can_name_namespace(user.get_username()):
        if "push" in scope.actions and (refusal := quota_refusal(user.get_username())) is not None:
            raise QuotaFull(refusal)
        return scope.actions & ACTIONS
    if user.groups.filter(name=INSTRUCTORS_GROUP).exists():
        return scope.actions & {"pull"}
    return frozenset()


def issue_token(subject: str, scopes: list[tuple[Scope, frozenset[str]]], *, lifetime=TOKEN_LIFETIME) -> str:
    key = signing_key()
    now = datetime.datetime.now(datetime.UTC)
    claims = {
        "iss": ISSUER,
        "sub": subject,
        "aud": SERVICE,
        "iat": now,
        "nbf": now - datetime.timedelta(seconds=5),
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "access": [
            {"type": scope.kind, "name": scope.name, "actions": sorted(actions)} for scope, actions in scopes
        ],
    }
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.key_id})


# ---------------------------------------------------------------------------------------------------- quotas


def namespace_usage(namespace: str) -> int:
    """Bytes the namespace's tagged images take (each layer counted once), read from the registry's storage."""
    storage = Path(settings.REGISTRY_DATA_DIR) / "storage" / "docker" / "registry" / "v2"
    sizes: dict[str, int] = {}
    for link in (storage / "repositories" / namespace).glob("**/_manifests/tags/*/current/link"):
        manifest = _blob(storage, link.read_text().strip())
        if manifest is None:
            continue
        for part in _blobs_of(manifest):
            if part.get("digest"):
                sizes[part["digest"]] = part.get("size", 0)
    return sum(sizes.values())


def _blobs_of(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The blobs an image manifest names, {digest, size, ...} each: its config, then its layers."""
    return [manifest.get("config") or {}, *(manifest.get("layers") or [])]


def _blob(storage: Path, digest: str) -> dict | None:
    algorithm, _, value = digest.partition(":")
    data = storage / "blobs" / algorithm / value[:2] / value / "data"
    try:
        return json.loads(data.read_bytes())
    except (OSError, ValueError):
        return None


def quota_refusal(namespace: str) -> Outcome | None:
    """Why nothing more may be pushed into `namespace`, or None while it has room."""
    used = namespace_usage(namespace)
    if used < settings.REGISTRY_QUOTA_MB * MB:
        return None
    return Outcome(OutcomeKind.REGISTRY_QUOTA, "push", {"used_mb": f"{used / MB:.1f}",
                                                          "quota_mb": settings.REGISTRY_QUOTA_MB})

# ---------------------------------------------------------------------------------------------- the registry API

MANIFEST_TYPES = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
])


@dataclass(frozen=True)
class StoredImage:
    repository: str  # "alice/hello"
    digest: str
    tags: tuple[str, ...]
    size: int  # bytes the registry stores for it: its config and its (compressed) layers

    @property
    def size_mb(self) -> float:
        return self.size / MB


class RegistryClient:
    """The site's own calls to the registry, with tokens it signs for itself."""

    def __init__(self, host: str | None = None):
        self.base = f"http://{host or settings.REGISTRY_HOST}/v2"

    def _headers(self, kind: str, name: str, actions: str) -> dict[str, str]:
        """Headers with a token the site signs for itself, for `actions` ("pull,delete") on one resource."""
        scope = Scope(kind, name, frozenset(actions.split(",")))
        token = issue_token(ISSUER, [(scope, scope.actions)])
        return {"Authorization": f"Bearer {token}", "Accept": MANIFEST_TYPES}

    def repositories(self, namespace: str) -> list[str]:
        response = requests.get(f"{self.base}/_catalog", params={"n": 1000}, timeout=10,
                                headers=self._headers("registry", "catalog", "*"))
        response.raise_for_status()
        return [name for name in response.json().get("repositories") or [] if name.startswith(f"{namespace}/")]

    def tags(self, name: str) -> list[str]:
        response = requests.get(f"{self.base}/{name}/tags/list", timeout=10, headers=self._pull(name))
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return response.json().get("tags") or []

    def digest(self, name: str, reference: str) -> str | None:
        """The manifest digest `reference` (a tag) names; None when there is no such tag. Any other answer (a
        refused token, a failing registry) raises: it must not pass for "not published"."""
        response = requests.head(f"{self.base}/{name}/manifests/{reference}", timeout=10, headers=self._pull(name))
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.headers.get("Docker-Content-Digest")

    def image_config(self, name: str, digest: str) -> dict[str, Any]:
        """The config (Cmd, Entrypoint, Labels ...) of the image whose manifest is `digest`."""
        config_digest = (self._manifest(name, digest).get("config") or {}).get("digest")
        if not config_digest:
            return {}
        blob = requests.get(f"{self.base}/{name}/blobs/{config_digest}", timeout=30, headers=self._pull(name))
        blob.raise_for_status()
        return blob.json().get("config") or {}

    def images(self, namespace: str) -> list[StoredImage]:
        """Every image of the namespace, once per digest with all the tags that name it."""
        found = []
        for name in self.repositories(namespace):
            tags_of: dict[str, list[str]] = {}
            for tag in self.tags(name):
                if digest := self.digest(name, tag):
                    tags_of.setdefault(digest, []).append(tag)
            for digest, tags in tags_of.items():
                size = sum(part.get("size", 0) for part in _blobs_of(self._manifest(name, digest)))
                found.append(StoredImage(name, digest, tuple(sorted(tags)), size))
        return sorted(found, key=lambda image: (image.repository, image.tags))

    def delete_image(self, name: str, digest: str) -> None:
        """Delete a manifest and so every tag naming it; its blobs go at the next garbage collection."""
        headers = self._headers("repository", name, "pull,delete")
        response = requests.delete(f"{self.base}/{name}/manifests/{digest}", headers=headers, timeout=10)
        if response.status_code != 404:
            response.raise_for_status()

    def delete_namespace(self, namespace: str) -> int:
        """Delete every image of the namespace's repositories."""
        images = self.images(namespace)
        for image in images:
            self.delete_image(image.repository, image.digest)
        return len(images)

    def _manifest(self, name: str, digest: str) -> dict[str, Any]:
        response = requests.get(f"{self.base}/{name}/manifests/{digest}", timeout=10, headers=self._pull(name))
        response.raise_for_status()
        return response.json()

    def _pull(self, name: str) -> dict[str, str]:
        return self._headers("repository", name, "pull")


def collect_garbage() -> str:
    """Run the registry's garbage collector over its storage, when this host runs the registry."""
    config = Path(settings.REGISTRY_DATA_DIR) / "config.yml"
    if not config.exists():
        return "no local registry"
    finished = subprocess.run(["/usr/bin/docker-registry", "garbage-collect", "--delete-untagged", str(config)],
                              capture_output=True, text=True, timeout=600, check=False)
    return finished.stdout.strip().splitlines()[-1] if finished.stdout.strip() else finished.stderr.strip()
