"""The registry stack shared by the registry tests: Daphne as the token realm and Docker's registry, on free
loopback ports, and the real docker CLI on the sandbox engine."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from engine import fence
from tests.servers import daphne, free_port, wait_for

QUOTA_MB = 3


@pytest.fixture(scope="session")
def stack(django_db_setup, django_db_blocker, tmp_path_factory, real_engine):
    """Daphne (the realm) and the registry on free loopback ports, sharing a fresh registry data directory, both let
    through the engine's fence for the session."""
    web, registry_port = free_port(), free_port()
    data = tmp_path_factory.mktemp("registry")
    environment = {
        **os.environ,
        "LAYERLAB_DB_PATH": settings.DATABASES["default"]["NAME"],
        "REGISTRY_HOST": f"127.0.0.1:{registry_port}",
        "REGISTRY_REALM": f"http://127.0.0.1:{web}/registry/token",
        "REGISTRY_DATA_DIR": str(data),
        "REGISTRY_QUOTA_MB": str(QUOTA_MB),
        "SANDBOX_EMBEDDED_WORKERS": "false",
        "SANDBOX_REAP_INTERVAL": "0",
    }
    config = subprocess.run([sys.executable, "manage.py", "registry_config"], cwd=settings.BASE_DIR, env=environment,
                            capture_output=True, text=True, check=True).stdout
    (data / "config.yml").write_text(config)
    registry_server = subprocess.Popen(["/usr/bin/docker-registry", "serve", str(data / "config.yml")],
                                       env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rules = fence.registry_rules(environment["REGISTRY_HOST"], environment["REGISTRY_REALM"])
    try:
        wait_for(registry_port)
        with daphne(environment, port=web, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), \
                fence.allowed(real_engine.docker_host, f"tests-{os.getpid()}-registry", rules):
            yield {"registry": f"127.0.0.1:{registry_port}", "data": data, "environment": environment}
    finally:
        registry_server.terminate()
        registry_server.wait(timeout=30)


@pytest.fixture
def cli(stack, tmp_path, real_engine):
    """The real docker CLI, on the sandbox engine, with a Docker config of its own."""
    made: list[str] = []

    def docker(*args: str, check: bool = False) -> subprocess.CompletedProcess:
        if args[0] == "tag":
            made.append(args[2])
        if args[0] == "build":
            made.append(args[args.index("-t") + 1])
        environment = {**os.environ, "DOCKER_CONFIG": str(tmp_path / "docker-config"),
                       "DOCKER_HOST": real_engine.docker_host}
        return subprocess.run(["/usr/bin/docker", *args], env=environment, capture_output=True, text=True,
                              timeout=120, check=check)

    yield docker
    for reference in made:
        docker("rmi", "-f", reference)


@pytest.fixture
def learner():
    """Make a learner whose site password is `<name>-site-password` (optionally an instructor)."""
    def make(name: str, *, instructor: bool = False) -> User:
        user = User.objects.create_user(name, password=f"{name}-site-password")
        if instructor:
            user.groups.add(Group.objects.get_or_create(name="instructors")[0])
        return user
    return make


@pytest.fixture
def registry_settings(stack, settings):
    """This process's settings pointed at the test registry, as the realm's are."""
    settings.REGISTRY_HOST = stack["registry"]
    settings.REGISTRY_DATA_DIR = stack["data"]
    settings.REGISTRY_REALM = stack["environment"]["REGISTRY_REALM"]
    settings.REGISTRY_QUOTA_MB = QUOTA_MB
    return settings
