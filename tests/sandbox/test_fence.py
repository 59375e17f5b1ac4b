"""The engine's fence, with the Dockerfile rules switched off: `ADD <url>` reaches the course registry and the token
realm's path, and nothing else — not another page of the site, not another loopback port, not a host beyond."""
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

import pytest
from django.conf import settings

import engine.build
from engine import fence
from engine.dockerfile import parse
from engine.outcomes import OutcomeKind
from tests.servers import PROJECT

pytestmark = pytest.mark.engine

REALM = "/registry/token"
TEST_HOST = "10.213.0.2"  # a private /30 shared only by this test and the namespace it makes
HOST_PATHS = ("/var/", "/run/", "/tmp/", "/proc/", "/sys/", str(PROJECT))


@pytest.fixture(scope="module")
def run_dir() -> Path:
    """The run directory of the fenced engine the tests use; the project's own engine must be fenced."""
    found = fence.fenced_run_dir(settings.SANDBOX_DOCKER_HOST)
    if found is not None:
        return found
    own = subprocess.run(["bash", "scripts/sandbox-engine", "env"], cwd=PROJECT, capture_output=True, text=True)
    if own.stdout.strip() == f"SANDBOX_DOCKER_HOST={settings.SANDBOX_DOCKER_HOST}":
        pytest.fail("The project's engine runs without its fence (an engine started by an older "
                    "scripts/sandbox-engine?): run `scripts/sandbox-engine stop`, then `scripts/sandbox-engine start`.")
    pytest.skip(f"{settings.SANDBOX_DOCKER_HOST} is not the project's engine: it has no fence")


@pytest.fixture(scope="module")
def daemon(run_dir) -> Path:
    """The engine's dockerd, as its /proc directory."""
    return Path("/proc") / (run_dir / "docker.pid").read_text().strip()


@pytest.fixture(scope="module")
def engine_namespace(daemon) -> Path:
    return daemon / "ns/net"


@pytest.fixture
def rules_off(monkeypatch):
    """A fault injected: the engine builds any Dockerfile that parses, so that only the fence stands in the way."""
    monkeypatch.setattr(engine.build, "check_submission", lambda files, **_: parse(files["Dockerfile"].decode()))


class CountingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keeps connections open unless asked not to, as the site does

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"hi\n")

    def log_message(self, *args):
        pass


@contextmanager
def counting_server() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on a free loopback port, like the site; yields its port and the paths it was asked for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    server.paths = []
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.paths
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(run_dir) -> Iterator[tuple[int, list[str]]]:
    """A site whose token realm path the fence lets through, as `scripts/run` does for the course site."""
    with counting_server() as (port, paths):
        rule = fence.Rule("http", "127.0.0.1", port, REALM)
        with fence.allowed(settings.SANDBOX_DOCKER_HOST, f"tests-{os.getpid()}-site", [rule]):
            yield port, paths


@pytest.fixture
def test_host(tmp_path) -> Iterator["RequestLog"]:
    """An HTTP server on TEST_HOST:8080 in a network namespace of its own, joined to this one by a veth pair, as a
    host beyond the machine would be. Yields the log of what it was asked for."""
    name, outside = f"layerlab-fence-test-{os.getpid()}", f"lft{os.getpid()}"
    log = tmp_path / "test-host.log"

    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True)

    ip("netns", "add", name)
    server = None
    try:
        ip("link", "add", outside, "type", "veth", "peer", "name", "inside", "netns", name)
        ip("address", "add", "10.213.0.1/30", "dev", outside)
        ip("link", "set", outside, "up")
        ip("-n", name, "address", "add", f"{TEST_HOST}/30", "dev", "inside")
        ip("-n", name, "link", "set", "inside", "up")
        with log.open("wb") as output:
            server = subprocess.Popen(["ip", "netns", "exec", name, sys.executable, "-u", "-m", "http.server",
                                       "--bind", TEST_HOST, "8080"], stdout=output, stderr=subprocess.STDOUT)
        _wait_for_address(TEST_HOST, 8080)
        yield RequestLog(log)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        subprocess.run(["ip", "link", "delete", outside], capture_output=True)  # gone with the namespace, or not made
        ip("netns", "delete", name)


class RequestLog:
    """The paths http.server has logged so far."""

    def __init__(self, log: Path):
        self.log = log

    def paths(self) -> list[str]:
        return [line.split('"GET ')[1].split()[0] for line in self.log.read_text().splitlines() if '"GET ' in line]


def _wait_for_address(host: str, port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return
        assert time.monotonic() < deadline, f"the test host {host}:{port} did not start"
        time.sleep(0.1)


def add(engine, url: str):
    """Build `FROM scratch` + `ADD <url>`; the daemon fetches the URL itself, on its own network."""
    _, result = engine.build({"Dockerfile": f"FROM scratch\nADD {url} /fetched\n".encode()}, allowed_bases=[])
    return result


def assert_failed_plainly(result) -> None:
    assert result.outcome.kind is OutcomeKind.BUILD_ERROR, result.outcome.message()
    for language in ("en", "zh-hans"):
        message = result.outcome.message(language)
        assert not [path for path in HOST_PATHS if path in message], message
        assert "Traceback" not in message


def test_the_daemon_has_only_a_loopback_interface_and_no_route(daemon):
    interfaces = [line.split(":")[0].strip() for line in (daemon / "net/dev").read_text().splitlines()[2:]]
    routes = (daemon / "net/route").read_text().splitlines()[1:]  # below the header: one line per IPv4 route
    assert interfaces == ["lo"]
    assert routes == []


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/registry/token/../../admin/", "/registry/tokens"])
def test_no_page_of_the_site_but_the_realm_is_fetched(engine, rules_off, site, path):
    port, paths = site
    result = add(engine, f"http://127.0.0.1:{port}{path}")
    assert_failed_plainly(result)
    assert paths == []


def test_the_realm_path_gets_through(engine, rules_off, site):
    port, paths = site
    result = add(engine, f"http://127.0.0.1:{port}{REALM}?service=registry")
    assert result.outcome.ok, result.outcome.message()
    assert paths == [f"{REALM}?service=registry"]


def test_another_loopback_port_is_not_reached_and_a_tcp_rule_reaches_only_its_own(engine, rules_off):
    with counting_server() as (other, other_paths), counting_server() as (registry, registry_paths):
        rule = fence.Rule("tcp", "127.0.0.1", registry)
        with fence.allowed(settings.SANDBOX_DOCKER_HOST, f"tests-{os.getpid()}-registry-like", [rule]):
            refused = add(engine, f"http://127.0.0.1:{other}/secret")
            passed = add(engine, f"http://127.0.0.1:{registry}/v2/")
    assert_failed_plainly(refused)
    assert other_paths == []
    assert passed.outcome.ok, passed.outcome.message()
    assert registry_paths == ["/v2/"]


def test_a_host_beyond_the_machine_is_not_reached(engine, rules_off, test_host):
    probe = subprocess.run(["curl", "-sf", f"http://{TEST_HOST}:8080/probe"], capture_output=True)
    assert probe.returncode == 22  # reached from the host's namespace: http.server has no /probe and says 404
    result = add(engine, f"http://{TEST_HOST}:8080/secret")
    assert_failed_plainly(result)
    assert test_host.paths() == ["/probe"]


@pytest.mark.parametrize("head", [
    b"POST /registry/token HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"GET /registry/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET /registry/token HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n",
    b"GET http://127.0.0.1/secret HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /registry/token HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
    b"GET /registry/token HTTP/1.1\r\n Folded: x\r\n\r\n",
])
def test_the_realm_gate_refuses_every_other_request(site, engine_namespace, head):
    port, paths = site
    reply = exchange(engine_namespace, port, head)
    assert reply.startswith(b"HTTP/1.1 403 ")
    assert paths == []


def test_the_realm_gate_forwards_one_request_and_never_the_next(site, engine_namespace):
    port, paths = site
    pipelined = (b"GET /registry/token HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n"
                 b"GET /secret HTTP/1.1\r\nHost: x\r\n\r\n")
    reply = exchange(engine_namespace, port, pipelined)  # ends: the gate asked the server to close after one
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert paths == [REALM]


def exchange(namespace: Path, port: int, request: bytes) -> bytes:
    """Send `request` from inside the engine's namespace, as the daemon would, and read the reply to its end."""
    with fence.inside(namespace):
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
    with client:
        client.sendall(request)
        reply = b""
        while chunk := client.recv(65536):
            reply += chunk
    return reply
