"""The fence: the only way out of the sandbox engine's network namespace.

scripts/sandbox-engine starts dockerd in a network namespace of its own that has nothing but a loopback interface
and no route, because the daemon fetches `ADD <url>` sources on its own network whatever network a build is given.
This process is the one thing listening there. For each rule it listens in the engine's namespace on the rule's
loopback address and forwards, from the host's namespace, to the same address on the host:

    tcp  127.0.0.1:5000                    the course registry, as plain TCP
    http 127.0.0.1:8000 /registry/token    the token realm: one GET of exactly that path per connection

Anything else (another port, another page of the site, any other host) finds nothing listening, or a 403.

Rules live in `*.allow` files in `<run dir>/fence.d/`, one file per owner (the engine script writes `registry`;
scripts/run and test sessions add and remove their own), and are re-read whenever a file changes. The rules in
force are written to `<run dir>/fence.active`; `allow()` waits for them.

Standard library only: scripts/sandbox-engine runs this with the system's python3, before any virtualenv exists.

    python3 -m engine.fence serve RUN_DIR NAMESPACE_PATH
    python3 -m engine.fence allow RUN_DIR NAME [--registry HOST:PORT] [--realm URL]   (neither: remove NAME)
"""
from __future__ import annotations

import argparse
import asyncio
import ctypes
import gettext
import ipaddress
import logging
import os
import re
import signal
import socket
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("engine.fence")

RULES_DIR = "fence.d"
ACTIVE_FILE = "fence.active"
PID_FILE = "fence.pid"
POLL_SECONDS = 0.3
HEAD_TIMEOUT = 10.0  # seconds the realm gate waits for a whole request head (of at most asyncio's 64 KiB)
CHUNK = 64 * 1024
CLONE_NEWNET = 0x40000000

# A realm request carries no body and asks for no other protocol: such headers are refused, not forwarded.
REFUSED_FIELDS = frozenset({b"content-length", b"transfer-encoding", b"upgrade", b"expect"})
# Hop-by-hop fields: the gate sets its own `Connection: close` so that the one request is the last.
DROPPED_FIELDS = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer"})
REFUSAL_MESSAGE = "The sandbox may not reach this address."
# The project's gettext catalogue, read without Django: its Chinese joins the English once it is compiled.
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


# -- rules


@dataclass(frozen=True, order=True)
class Rule:
    """One way out: `tcp` forwards everything; `http` forwards one GET of `path` per connection."""

    kind: str
    host: str
    port: int
    path: str = ""

    def __str__(self) -> str:
        return " ".join(filter(None, (self.kind, f"{self.host}:{self.port}", self.path)))


def parse_rule(line: str) -> Rule:
    """A rule from its line (`tcp 127.0.0.1:5000`, `http 127.0.0.1:8000 /registry/token`); ValueError if bad."""
    kind, address, *path = line.split()
    if (kind, len(path)) not in (("tcp", 0), ("http", 1)):
        raise ValueError(f"not a rule: {line!r} (tcp ADDRESS:PORT, or http ADDRESS:PORT /PATH)")
    host, _, port = address.rpartition(":")
    return Rule(kind, _loopback(host), _port(port), _path(path[0]) if path else "")


def registry_rules(registry_host: str | None, realm: str | None) -> list[Rule]:
    """The rules a daemon needs to push and pull: the registry (`host:port`) and its token realm (a URL)."""
    rules = []
    if registry_host:
        host, _, port = registry_host.rpartition(":")
        rules.append(Rule("tcp", _loopback(host), _port(port)))
    if realm:
        url = urlsplit(realm)
        if url.scheme != "http" or url.port is None or url.query:
            raise ValueError(f"the fence passes only a plain http://ADDRESS:PORT/PATH realm, not {realm!r}")
        rules.append(Rule("http", _loopback(url.hostname or ""), url.port, _path(url.path)))
    return rules


def _loopback(host: str) -> str:
    # The engine's namespace has only a loopback interface, so only a loopback address can be listened on there.
    address = "127.0.0.1" if host == "localhost" else host
    try:
        if ipaddress.IPv4Address(address).is_loopback:
            return address
    except ValueError:
        pass
    raise ValueError(f"the fence forwards only to IPv4 loopback addresses, not {host!r}")


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"not a port: {text!r}")
    return int(text)


def _path(text: str) -> str:
    if not text.startswith("/") or not all(0x21 <= ord(char) <= 0x7E for char in text) or set("?#%") & set(text):
        raise ValueError(f"not a plain absolute path: {text!r}")
    return text


def read_rules(run_dir: Path) -> set[Rule]:
    """Every valid rule of every `*.allow` file (bad lines are logged and skipped)."""
    rules = set()
    for source in sorted((run_dir / RULES_DIR).glob("*.allow")):
        for line in _text(source).splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    rules.add(parse_rule(line))
                except ValueError as error:
                    log.error("%s: %s", source.name, error)
    return rules


def read_active(run_dir: Path) -> set[Rule] | None:
    """The rules the fence enforces right now, or None when no fence runs for `run_dir`."""
    if not (run_dir / ACTIVE_FILE).exists():
        return None
    return {parse_rule(line) for line in _text(run_dir / ACTIVE_FILE).splitlines() if line}


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:  # removed between listing and reading
        return ""


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text)
    partial.replace(path)


# -- owners of rules


def allow(run_dir: Path, name: str, rules: Iterable[Rule], timeout: float = 10) -> None:
    """Make `name`'s rules `rules` (none: remove them) and wait until the fence enforces every file's rules."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ValueError(f"not a rule file name: {name!r}")
    source = run_dir / RULES_DIR / f"{name}.allow"
    lines = "".join(f"{rule}\n" for rule in sorted(set(rules)))
    if lines:
        _write_atomically(source, lines)
    else:
        source.unlink(missing_ok=True)
    deadline = time.monotonic() + timeout
    while read_active(run_dir) != read_rules(run_dir):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the fence of {run_dir} did not apply its rules within {timeout} s (see its log)")
        time.sleep(POLL_SECONDS / 3)


def fenced_run_dir(docker_host: str) -> Path | None:
    """The run directory of the fenced engine at `docker_host` (`unix://<run dir>/docker.sock`), or None."""
    if not docker_host.startswith("unix://"):
        return None
    run_dir = Path(docker_host.removeprefix("unix://")).parent
    return run_dir if (run_dir / RULES_DIR).is_dir() else None


@contextmanager
def allowed(docker_host: str, name: str, rules: Iterable[Rule]) -> Iterator[Path | None]:
    """`rules` let through the fence of the engine at `docker_host` while the block runs (nothing to do on an
    engine without a fence). Yields the engine's run directory, or None."""
    run_dir = fenced_run_dir(docker_host)
    if run_dir is None:
        yield None
        return
    allow(run_dir, name, rules)
    try:
        yield run_dir
    finally:
        allow(run_dir, name, [])


# -- namespaces


_libc = ctypes.CDLL(None, use_errno=True)


def _setns(descriptor: int) -> None:
    if _libc.setns(descriptor, CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"setns: {os.strerror(error)}")


@contextmanager
def inside(namespace: Path) -> Iterator[None]:
    """The calling thread in the network namespace `namespace` for the block; the rest of the process stays where
    it is (setns moves one thread). Sockets made in the block belong to that namespace for good."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        target = os.open(namespace, os.O_RDONLY)
        try:
            _setns(target)
        finally:
            os.close(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(home)


# -- the forwarder


@dataclass
class Gate:
    """One listening address in the engine's namespace and what may pass it."""

    kind: str
    host: str
    port: int
    paths: set[str]
    server: asyncio.Server | None = None
    connections: set[asyncio.Task] = field(default_factory=set)

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for connection in self.connections:
            connection.cancel()


class Fence:
    def __init__(self, run_dir: Path, namespace: Path):
        self.run_dir = run_dir
        self.namespace = namespace
        self.gates: dict[tuple[str, int], Gate] = {}

    async def watch(self, stop: asyncio.Event) -> None:
        """Apply the rule files now and whenever they change, until `stop` is set."""
        seen = None
        while not stop.is_set():
            current = self._fingerprint()
            if current != seen:
                seen = current
                await self.apply(read_rules(self.run_dir))
            try:
                await asyncio.wait_for(stop.wait(), POLL_SECONDS)
            except TimeoutError:
                pass
        for gate in self.gates.values():
            gate.close()

    def _fingerprint(self) -> list[tuple[str, int, int]]:
        files = sorted((self.run_dir / RULES_DIR).glob("*.allow"))
        return [(path.name, stat.st_ino, stat.st_mtime_ns) for path in files if (stat := _stat(path))]

    async def apply(self, rules: set[Rule]) -> None:
        wanted: dict[tuple[str, int], tuple[str, set[str]]] = {}
        for rule in sorted(rules):
            kind, paths = wanted.setdefault((rule.host, rule.port), (rule.kind, set()))
            if kind != rule.kind:
                log.error("%s ignored: %s:%d is already forwarded as %s", rule, rule.host, rule.port, kind)
            elif rule.path:
                paths.add(rule.path)
        for address, gate in list(self.gates.items()):
            if wanted.get(address, ("", None))[0] != gate.kind:
                gate.close()
                del self.gates[address]
        for address, (kind, paths) in wanted.items():
            if address in self.gates:
                self.gates[address].paths = paths
            else:
                await self._open(kind, *address, paths)
        _write_atomically(self.run_dir / ACTIVE_FILE, "".join(f"{rule}\n" for rule in self._active()))

    def _active(self) -> list[Rule]:
        return sorted(
            Rule(gate.kind, gate.host, gate.port, path)
            for gate in self.gates.values()
            for path in (gate.paths if gate.kind == "http" else [""])
        )

    async def _open(self, kind: str, host: str, port: int, paths: set[str]) -> None:
        try:
            # No await inside: the event loop's thread must be back in the host's namespace before anything
            # else runs on it, since every upstream connection is made from there.
            with inside(self.namespace):
                listener = socket.create_server((host, port))
        except OSError as error:
            log.error("cannot listen on %s:%d in %s: %s", host, port, self.namespace, error)
            return
        gate = Gate(kind, host, port, paths)
        gate.server = await asyncio.start_server(lambda r, w: self._admit(gate, r, w), sock=listener)
        self.gates[(host, port)] = gate
        log.info("forwarding %s %s:%d %s", kind, host, port, " ".join(sorted(paths)) or "(everything)")

    async def _admit(self, gate: Gate, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        gate.connections.add(task)
        try:
            if gate.kind == "tcp":
                await _forward_tcp(gate, reader, writer)
            else:
                await _forward_one_request(gate, reader, writer)
        except (OSError, asyncio.IncompleteReadError) as error:
            log.info("%s:%d: %s", gate.host, gate.port, error)
        finally:
            gate.connections.discard(task)
            writer.close()


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


async def _forward_tcp(gate: Gate, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    upstream_reader, upstream_writer = await asyncio.open_connection(gate.host, gate.port)
    try:
        both = [asyncio.create_task(_pipe(reader, upstream_writer)),
                asyncio.create_task(_pipe(upstream_reader, writer))]
        try:
            done, _ = await asyncio.wait(both, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()
        finally:
            for task in both:
                task.cancel()
    finally:
        upstream_writer.close()


def refusal() -> bytes:
    """The gate's 403, in English and Chinese. The catalogue is looked up each time (stdlib gettext keeps what it
    found), because the fence starts before the set-up compiles it."""
    chinese = gettext.translation("django", LOCALE_DIR, languages=["zh_Hans"], fallback=True).gettext(REFUSAL_MESSAGE)
    text = REFUSAL_MESSAGE if chinese == REFUSAL_MESSAGE else f"{REFUSAL_MESSAGE} / {chinese}"
    body = f"{text}\n".encode()
    return (b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))


async def _forward_one_request(gate: Gate, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
    except (asyncio.LimitOverrunError, asyncio.IncompleteReadError, TimeoutError):
        head = b""
    request = forwardable(head, gate.paths)
    if request is None:
        log.warning("refused on %s:%d: %r", gate.host, gate.port, head.split(b"\r\n", 1)[0][:200])
        writer.write(refusal())
        await writer.drain()
        return
    upstream_reader, upstream_writer = await asyncio.open_connection(gate.host, gate.port)
    try:
        upstream_writer.write(request)
        await upstream_writer.drain()
        await _pipe(upstream_reader, writer)  # the reply; nothing more the client sends is ever read
    finally:
        upstream_writer.close()


def forwardable(head: bytes, paths: set[str]) -> bytes | None:
    """The request to send upstream for the request head `head` (ending in a blank line), or None to refuse it.
    Only `GET <path>[?query]` for a path in `paths`, with no body and nothing ambiguous about where it ends."""
    lines = head.removesuffix(b"\r\n\r\n").split(b"\r\n")
    if any(b"\r" in line or b"\n" in line for line in lines):  # a bare CR or LF: where does the head end?
        return None
    request_line, *fields = lines
    parts = request_line.split(b" ")
    if len(parts) != 3:
        return None
    method, target, version = parts
    if method != b"GET" or version not in (b"HTTP/1.1", b"HTTP/1.0"):
        return None
    if not all(0x21 <= byte <= 0x7E for byte in target) or target.partition(b"?")[0].decode() not in paths:
        return None
    kept = []
    for line in fields:
        name, colon, _ = line.partition(b":")
        if not colon or not name or not all(0x21 <= byte <= 0x7E for byte in name):
            return None
        if name.lower() in REFUSED_FIELDS:
            return None
        if name.lower() not in DROPPED_FIELDS:
            kept.append(line)
    return b"\r\n".join([request_line, *kept, b"Connection: close", b"", b""])


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(CHUNK):
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof():
        writer.write_eof()  # a half-close, passed on: the other direction may still be talking


# -- the process


def serve(run_dir: Path, namespace: Path) -> None:
    (run_dir / RULES_DIR).mkdir(parents=True, exist_ok=True)
    pid_file = run_dir / PID_FILE
    _write_atomically(pid_file, f"{os.getpid()}\n")
    try:
        asyncio.run(_serve(Fence(run_dir, namespace)))
    finally:
        (run_dir / ACTIVE_FILE).unlink(missing_ok=True)
        pid_file.unlink(missing_ok=True)


async def _serve(fence: Fence) -> None:
    stop = asyncio.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signal_number, stop.set)
    await fence.watch(stop)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python3 -m engine.fence", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serving = commands.add_parser("serve", help="forward the rules of RUN_DIR/fence.d out of the namespace")
    serving.add_argument("run_dir", type=Path)
    serving.add_argument("namespace", type=Path, help="e.g. /run/netns/layerlab-engine")
    allowing = commands.add_parser("allow", help="set (or, with no option, remove) the rule file NAME")
    allowing.add_argument("run_dir", type=Path)
    allowing.add_argument("name")
    allowing.add_argument("--registry", help="HOST:PORT of a registry, forwarded as TCP")
    allowing.add_argument("--realm", help="URL of a token realm: only GET of its path is forwarded")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s fence %(levelname)s %(message)s")
    if arguments.command == "serve":
        serve(arguments.run_dir, arguments.namespace)
        return
    try:
        allow(arguments.run_dir, arguments.name, registry_rules(arguments.registry, arguments.realm))
    except (ValueError, TimeoutError) as error:
        sys.exit(f"sandbox-engine: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
