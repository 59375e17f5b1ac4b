"""The course registry with this site as its token server, driven by the real docker CLI on the sandbox engine."""
import datetime
import hashlib
import subprocess

import jwt
import pytest
import requests

from registry import registry
from registry.models import RegistryPassword
from tests.registry.conftest import QUOTA_MB

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.engine]


def push(cli, stack, reference: str) -> subprocess.CompletedProcess:
    cli("tag", "layerlab/busybox", f"{stack['registry']}/{reference}", check=True)
    return cli("push", f"{stack['registry']}/{reference}")


def test_a_learner_pushes_and_pulls_in_their_own_namespace(stack, cli, learner):
    learner("alice")
    assert cli("login", stack["registry"], "-u", "alice", "-p", "alice-site-password").returncode == 0
    pushed = push(cli, stack, "alice/hello:1.0")
    assert pushed.returncode == 0, pushed.stderr
    cli("rmi", f"{stack['registry']}/alice/hello:1.0", check=True)
    pulled = cli("pull", f"{stack['registry']}/alice/hello:1.0")
    assert pulled.returncode == 0, pulled.stderr


def test_a_learner_cannot_push_into_another_namespace(stack, cli, learner):
    learner("carol")
    cli("login", stack["registry"], "-u", "carol", "-p", "carol-site-password", check=True)
    pushed = push(cli, stack, "dave/hello:1.0")
    assert pushed.returncode != 0
    assert "denied" in pushed.stderr.lower() or "unauthorized" in pushed.stderr.lower()


def test_a_learner_cannot_pull_another_learners_image_but_an_instructor_can(stack, cli, learner):
    learner("erin")
    cli("login", stack["registry"], "-u", "erin", "-p", "erin-site-password", check=True)
    assert push(cli, stack, "erin/secret:1.0").returncode == 0
    cli("rmi", f"{stack['registry']}/erin/secret:1.0", check=True)
    learner("frank")
    cli("login", stack["registry"], "-u", "frank", "-p", "frank-site-password", check=True)
    denied = cli("pull", f"{stack['registry']}/erin/secret:1.0")
    assert denied.returncode != 0
    learner("grace", instructor=True)
    cli("login", stack["registry"], "-u", "grace", "-p", "grace-site-password", check=True)
    allowed = cli("pull", f"{stack['registry']}/erin/secret:1.0")
    assert allowed.returncode == 0, allowed.stderr
    cli("rmi", f"{stack['registry']}/erin/secret:1.0")


def test_anonymous_pulls_are_denied(stack, cli):
    denied = cli("pull", f"{stack['registry']}/alice/hello:1.0")
    assert denied.returncode != 0
    assert "unauthorized" in denied.stderr.lower() or "no basic auth credentials" in denied.stderr.lower()


def test_wrong_passwords_are_refused(stack, cli, learner):
    learner("heidi")
    refused = cli("login", stack["registry"], "-u", "heidi", "-p", "not-her-password")
    assert refused.returncode != 0 and "Wrong username or password" in refused.stderr


def test_a_registry_password_works_for_docker_login(stack, cli, learner):
    user = learner("ivan")
    RegistryPassword.objects.create(user=user, digest=hashlib.sha256(b"ivan-registry-token").hexdigest())
    assert cli("login", stack["registry"], "-u", "ivan", "-p", "ivan-registry-token").returncode == 0


def test_the_quota_stops_a_push_with_a_clear_message(stack, cli, learner):
    learner("judy")
    cli("login", stack["registry"], "-u", "judy", "-p", "judy-site-password", check=True)
    assert push(cli, stack, "judy/first:1.0").returncode == 0  # about 1 MB compressed
    cli("tag", "layerlab/python", f"{stack['registry']}/judy/big:1.0", check=True)
    big = cli("push", f"{stack['registry']}/judy/big:1.0")
    assert big.returncode == 0, big.stderr  # still under the quota when it started
    third = push(cli, stack, "judy/third:1.0")
    assert third.returncode != 0
    assert f"of {QUOTA_MB} MB" in third.stderr and "registry space is full" in third.stderr


def token(key_pem: bytes, key_id: str, *, minutes: int = 5, name: str = "alice/hello") -> str:
    now = datetime.datetime.now(datetime.UTC)
    claims = {"iss": registry.ISSUER, "sub": "alice", "aud": registry.SERVICE, "iat": now,
              "nbf": now - datetime.timedelta(minutes=10), "exp": now + datetime.timedelta(minutes=minutes),
              "jti": "x", "access": [{"type": "repository", "name": name, "actions": ["pull"]}]}
    return jwt.encode(claims, key_pem, algorithm="RS256", headers={"kid": key_id})


def manifest_status(stack, bearer: str) -> int:
    return requests.get(f"http://{stack['registry']}/v2/alice/hello/manifests/1.0", timeout=10,
                        headers={"Authorization": f"Bearer {bearer}",
                                 "Accept": "application/vnd.docker.distribution.manifest.v2+json"}).status_code


def test_only_fresh_tokens_signed_by_the_site_are_accepted(stack, settings):
    settings.REGISTRY_DATA_DIR = stack["data"]
    real = registry.signing_key()
    forger_private, _ = registry._new_key()
    assert manifest_status(stack, token(real.private_pem, real.key_id)) in (200, 404)
    assert manifest_status(stack, token(forger_private, real.key_id)) == 401
    assert manifest_status(stack, token(real.private_pem, real.key_id, minutes=-1)) == 401


def test_deleting_an_account_deletes_its_repositories_and_gc_frees_the_space(stack, cli, registry_settings, learner):
    user = learner("mallory")
    cli("login", stack["registry"], "-u", "mallory", "-p", "mallory-site-password", check=True)
    assert push(cli, stack, "mallory/hello:1.0").returncode == 0
    assert registry.RegistryClient().repositories("mallory") == ["mallory/hello"]
    user.delete()
    assert registry.RegistryClient().tags("mallory/hello") == []
    registry.collect_garbage()
    assert registry.namespace_usage("mallory") == 0
