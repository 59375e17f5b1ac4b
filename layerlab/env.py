"""Small readers for settings that come from environment variables.

Each reader returns the default when the variable is unset or empty, and raises ImproperlyConfigured naming the
variable when its value cannot be used, so a typo fails at start instead of at the first request.
"""
import os
from urllib.parse import SplitResult, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def env_str(name: str, default: str) -> str:
    return _raw(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {value!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are ignored."""
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_mapping(name: str, default: dict[str, str]) -> dict[str, str]:
    """Comma-separated key=value pairs, e.g. "layerlab/busybox=busybox:1.36,layerlab/python=python:3.11-slim"."""
    value = _raw(name)
    if value is None:
        return default
    mapping = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        key, sep, target = item.partition("=")
        if not sep or not key.strip() or not target.strip():
            raise ImproperlyConfigured(f"{name} must be key=value pairs separated by commas; {item!r} is not.")
        mapping[key.strip()] = target.strip()
    return mapping


def env_postgres_url(name: str) -> dict[str, str] | None:
    """Django's settings for the PostgreSQL database a URL names (`postgres://user:password@host:port/database`),
    or None when the variable is unset."""
    value = _raw(name)
    if value is None:
        return None
    url = _parsed_url(name, value, ("postgres", "postgresql"), "postgres://user:password@host:5432/database")
    database = unquote(url.path.lstrip("/"))
    if not url.hostname or not database or "/" in database:
        raise ImproperlyConfigured(f"{name} must name a host and a database: postgres://user:password@host:5432/"
                                   f"database, not {_without_password(url)!r}.")
    return {
        "NAME": database,
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname,
        "PORT": str(url.port or ""),
    }


def env_redis_url(name: str) -> str | None:
    """A Redis URL (`redis://[:password@]host:port/db`, or `rediss://` for TLS), or None when unset."""
    value = _raw(name)
    if value is None:
        return None
    url = _parsed_url(name, value, ("redis", "rediss"), "redis://:password@host:6379/0")
    database = url.path.lstrip("/")
    if not url.hostname or (database and not database.isdigit()):
        raise ImproperlyConfigured(f"{name} must name a host and at most a database number: "
                                   f"redis://:password@host:6379/0, not {_without_password(url)!r}.")
    return value


def _parsed_url(name: str, value: str, schemes: tuple[str, ...], example: str) -> SplitResult:
    url = urlsplit(value)
    if url.scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must be a URL like {example}, not {_without_password(url)!r}.")
    try:
        url.port  # noqa: B018 - reading it is what checks it
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number: {_without_password(url)!r}.") from None
    return url


def _without_password(url: SplitResult) -> str:
    """The URL as an error message may show it: a password never reaches a log."""
    if url.password is None:
        return url.geturl()
    return url._replace(netloc=url.netloc.replace(f":{url.password}@", ":***@", 1)).geturl()
