"""The token realm on its own: who gets which actions, and the account page that hands out registry passwords."""
import base64
import datetime
import hashlib
import json

import jwt
import pytest
from axes.models import AccessAttempt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db.models import F

from registry import registry
from registry.models import RegistryPassword

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.7"
LEARNER_AT_HOME = "198.51.100.20"


@pytest.fixture(autouse=True)
def registry_dir(settings, tmp_path):
    settings.REGISTRY_DATA_DIR = tmp_path
    settings.REGISTRY_QUOTA_MB = 1
    return tmp_path


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def ask(client, username: str | None, password: str = "", *scopes: str, **request):
    headers = {"HTTP_AUTHORIZATION": basic(username, password)} if username else {}
    return client.get("/registry/token", {"service": registry.SERVICE, "scope": list(scopes)}, **headers, **request)


def access(response) -> list[dict]:
    certificate = x509.load_pem_x509_certificate(registry.signing_key().certificate_pem)
    claims = jwt.decode(response.json()["token"], certificate.public_key(), algorithms=["RS256"],
                        audience=registry.SERVICE, issuer=registry.ISSUER)
    return claims["access"]


@pytest.fixture
def alice():
    return User.objects.create_user("alice", password="alice-pass-123")


def test_anonymous_requests_are_refused(client):
    response = ask(client, None, "", "repository:alice/hello:pull")
    assert response.status_code == 401
    assert "Basic" in response["WWW-Authenticate"]


def test_a_wrong_password_is_refused(client, alice):
    assert ask(client, "alice", "nope", "repository:alice/hello:pull").status_code == 401


def test_a_learner_gets_push_and_pull_in_their_namespace_only(client, alice):
    response = ask(client, "alice", "alice-pass-123", "repository:alice/hello:push,pull", "repository:bob/x:pull")
    assert access(response) == [
        {"type": "repository", "name": "alice/hello", "actions": ["pull", "push"]},
        {"type": "repository", "name": "bob/x", "actions": []},
    ]


def test_an_account_named_like_a_reserved_namespace_gets_no_rights_in_it(client):
    User.objects.create_superuser("library", password="library-pass-123")  # made by an admin, not at sign-up
    response = ask(client, "library", "library-pass-123", "repository:library/busybox:push,pull")
    assert access(response)[0]["actions"] == []


def test_an_instructor_may_pull_but_not_push_elsewhere(client):
    grace = User.objects.create_user("grace", password="grace-pass-123")
    grace.groups.add(Group.objects.get_or_create(name="instructors")[0])
    response = ask(client, "grace", "grace-pass-123", "repository:alice/hello:push,pull")
    assert access(response)[0]["actions"] == ["pull"]


BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def der_element(data: bytes, at: int) -> tuple[int, int]:
    """Where the DER element starting at `at` has its contents, and where it ends."""
    length, start = data[at + 1], at + 2
    if length & 0x80:  # long form: the next (length & 0x7f) bytes hold the length
        count = length & 0x7F
        length, start = int.from_bytes(data[start:start + count]), start + count
    return start, start + length


def subject_public_key_info(certificate_der: bytes) -> bytes:
    """The certificate's SubjectPublicKeyInfo as it is encoded in it: the seventh element of tbsCertificate (the
    version, [0], comes first in a v3 certificate)."""
    tbs_start, _ = der_element(certificate_der, der_element(certificate_der, 0)[0])
    at = tbs_start
    for _ in range(6):  # version, serialNumber, signature, issuer, validity, subject
        at = der_element(certificate_der, at)[1]
    return certificate_der[at:der_element(certificate_der, at)[1]]


def libtrust_key_id(spki: bytes) -> str:
    """docker/libtrust's keyIDFromCryptoKey: the first 240 bits of SHA-256 over the PKIX public key, as 48 base32
    characters in twelve groups of four."""
    bits = int.from_bytes(hashlib.sha256(spki).digest()[:30])
    characters = "".join(BASE32[(bits >> shift) & 31] for shift in range(235, -1, -5))
    return ":".join(characters[i:i + 4] for i in range(0, 48, 4))


def test_the_key_id_matches_the_certificate_the_registry_trusts():
    key = registry.signing_key()
    certificate = x509.load_pem_x509_certificate(key.certificate_pem)
    spki = subject_public_key_info(certificate.public_bytes(serialization.Encoding.DER))
    assert spki[0] == 0x30 and b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01" in spki  # a SEQUENCE naming rsaEncryption
    assert key.key_id == libtrust_key_id(spki)
    token = registry.issue_token("alice", [])
    assert jwt.get_unverified_header(token)["kid"] == key.key_id


def store_tagged_image(storage, name: str, tag: str, layer_size: int) -> None:
    """What the registry keeps on disk for one pushed tag: a manifest blob naming a layer, and the tag's link."""
    manifest = json.dumps({"schemaVersion": 2, "config": {"digest": "sha256:" + "c" * 64, "size": 1000},
                           "layers": [{"digest": "sha256:" + "d" * 64, "size": layer_size}]}).encode()
    digest = hashlib.sha256(manifest).hexdigest()
    blob = storage / "blobs" / "sha256" / digest[:2] / digest / "data"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(manifest)
    link = storage / "repositories" / name / "_manifests" / "tags" / tag / "current" / "link"
    link.parent.mkdir(parents=True)
    link.write_text(f"sha256:{digest}")


def test_a_full_namespace_cannot_push_and_says_why(client, alice, registry_dir):
    store_tagged_image(registry_dir / "storage" / "docker" / "registry" / "v2", "alice/hello", "1.0",
                       2 * 1024 * 1024)
    response = ask(client, "alice", "alice-pass-123", "repository:alice/hello:push,pull")
    assert response.status_code == 403
    assert "2.0 MB of 1 MB" in response.json()["errors"][0]["message"]
    assert access(ask(client, "alice", "alice-pass-123", "repository:alice/hello:pull"))[0]["actions"] == ["pull"]


def test_the_account_page_needs_a_login(client):
    assert client.get("/accounts/profile/").status_code == 302


def test_a_learner_creates_a_registry_password_that_works_once_shown(client, alice):
    client.force_login(alice)
    page = client.post("/accounts/profile/").content.decode()
    password = page.split('<code id="registry-password">')[1].split("</code>")[0]
    stored = RegistryPassword.objects.get(user=alice)
    assert stored.digest == hashlib.sha256(password.encode()).hexdigest()
    assert password not in client.get("/accounts/profile/").content.decode()
    assert ask(client, "alice", password, "repository:alice/hello:pull").status_code == 200


def test_replacing_the_registry_password_retires_the_old_one(client, alice):
    client.force_login(alice)
    first = client.post("/accounts/profile/").content.decode().split('id="registry-password">')[1].split("<")[0]
    client.post("/accounts/profile/")
    assert ask(client, "alice", first, "repository:alice/hello:pull").status_code == 401


def test_a_guesser_at_the_realm_waits_and_is_told_so_plainly(client):
    User.objects.create_user("oscar", password="the-right-password")
    for _ in range(settings.LOGIN_FAILURES_PER_USER_AND_ADDRESS):
        assert ask(client, "oscar", "a-guess", REMOTE_ADDR=GUESSER).status_code == 401
    stopped = ask(client, "oscar", "the-right-password", REMOTE_ADDR=GUESSER)
    assert stopped.status_code == 429 and 0 < int(stopped["Retry-After"]) <= 60
    assert stopped.json()["errors"] == [{"code": "TOOMANYREQUESTS",
                                         "message": "Too many wrong passwords: try again in 1 min."}]
    assert ask(client, "oscar", "the-right-password", REMOTE_ADDR=LEARNER_AT_HOME).status_code == 200
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(seconds=61))  # the wait passes
    assert ask(client, "oscar", "the-right-password", REMOTE_ADDR=GUESSER).status_code == 200


def test_the_realm_and_the_site_login_share_one_count(client):
    User.objects.create_user("oscar", password="the-right-password")
    for _ in range(settings.LOGIN_FAILURES_PER_USER_AND_ADDRESS - 1):
        client.post("/accounts/login/", {"username": "oscar", "password": "a-guess"}, REMOTE_ADDR=GUESSER)
    assert ask(client, "oscar", "a-guess", REMOTE_ADDR=GUESSER).status_code == 401
    assert ask(client, "oscar", "the-right-password", REMOTE_ADDR=GUESSER).status_code == 429
    site = client.post("/accounts/login/", {"username": "oscar", "password": "the-right-password"},
                       REMOTE_ADDR=GUESSER)
    assert site.status_code == 429


def test_a_registry_password_that_works_forgets_the_failures_from_that_address(client, alice):
    password = RegistryPassword.rotate(alice)
    for _ in range(settings.LOGIN_FAILURES_PER_USER_AND_ADDRESS - 1):
        assert ask(client, "alice", "a-typo", REMOTE_ADDR=GUESSER).status_code == 401
    assert ask(client, "alice", password, REMOTE_ADDR=GUESSER).status_code == 200
    assert ask(client, "alice", "a-typo", REMOTE_ADDR=GUESSER).status_code == 401
    assert ask(client, "alice", password, REMOTE_ADDR=GUESSER).status_code == 200


def test_a_user_name_longer_than_any_is_refused_without_being_recorded(client):
    assert ask(client, "x" * 300, "a-guess", REMOTE_ADDR=GUESSER).status_code == 401
    assert not AccessAttempt.objects.exists()
