"""Servers that end-to-end tests and benchmarks start on loopback: free ports, waiting for them, Daphne, and
Chromium logged in on the site, with what the browser tests do on the exercise page."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

PROJECT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT / "test-artifacts"  # screenshots the browser tests leave for people to look at
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing answers on port {port}")


@contextmanager
def site_on_test_database(**settings_env: str) -> Iterator[str]:
    """Daphne serving the test database (which the test's own Django connection sees too), with no sweeps and the
    given settings; yields its URL. Without workers unless SANDBOX_EMBEDDED_WORKERS says otherwise."""
    from django.conf import settings

    environment = {**os.environ, "LAYERLAB_DB_PATH": settings.DATABASES["default"]["NAME"],
                   "SANDBOX_EMBEDDED_WORKERS": "false", "SANDBOX_REAP_INTERVAL": "0", **settings_env}
    with daphne(environment) as url:
        yield url


@contextmanager
def daphne(environment: dict[str, str], port: int | None = None, **options) -> Iterator[str]:
    """The site served by Daphne on loopback (a free port unless given), with `environment`; yields its URL.
    `options` go to subprocess.Popen (e.g. where its output goes)."""
    port = port or free_port()
    process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                "layerlab.asgi:application"], cwd=PROJECT, env=environment, **options)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def logged_in_page(site: str, username: str, password: str, path: str, *, watch=None,
                   viewport: tuple[int, int] = (1400, 1000), locale: str = "en-US") -> Iterator:
    """Chromium (Debian's, headless) logged in as `username` on `site`, opened at `path`; `watch(page)` is called
    before anything loads, to attach listeners. `locale` is the language the browser asks for (Accept-Language)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            width, height = viewport
            page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
            if watch is not None:
                watch(page)
            log_in(page, site, username, password, path)
            yield page
        finally:
            browser.close()


def log_in(page, site: str, username: str, password: str, path: str) -> None:
    """Log `page` in on `site` through the login form, landing on `path`."""
    page.goto(f"{site}/accounts/login/?next={path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"**{path}")


@contextmanager
def learners_page(site: str, path: str) -> Iterator:
    """`path` on `site` in Chromium, logged in as ada; when the block ends, no Content-Security-Policy violation may
    have been reported."""
    violations: list[str] = []
    with logged_in_page(site, "ada", "correct horse battery", path, watch=collect_csp_violations(violations)) as page:
        yield page
    assert not violations, f"the page broke its Content-Security-Policy: {violations}"


def collect_csp_violations(violations: list[str]):
    """A `watch` for logged_in_page: adds each Content-Security-Policy violation Chromium reports to `violations`."""
    def report(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    return lambda page: page.on("console", report)


def replace_dockerfile(page, text: str) -> None:
    page.click("#file-tabs [role=tab]:has-text('Dockerfile')")
    editor = page.locator("#file-panels .cm-content:visible")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    editor.type(text)  # typed like a learner, line by line
