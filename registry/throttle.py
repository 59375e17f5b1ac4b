"""The login throttle of the site's login, the admin's and the registry token realm: django-axes records every
failed login in the database; this module decides who must wait, and for how long.

Three counters, each with its own limit:

- one user name from one address (LOGIN_FAILURES_PER_USER_AND_ADDRESS): what a guesser meets first, and the only
  counter a successful login resets, so a learner's own typos are forgotten once they get in;
- one address, whatever the names (LOGIN_FAILURES_PER_ADDRESS): a guesser trying many names;
- one user name, from anywhere (LOGIN_FAILURES_PER_USER): guessing from many addresses. It is far higher than the
  per-address limit, so no single address can reach it: one learner cannot be shut out by another who shares their
  address, and the real user at another address is not held up by a guesser at this one.

A counter past its limit makes the client wait LOGIN_BACKOFF_SECONDS after its last failure, twice as long after
each further failure, up to LOGIN_BACKOFF_MAX_SECONDS: never a lock that needs an administrator. Attempts made
while waiting are refused unchecked and not counted, so they neither help a guesser nor lengthen the wait.
Failures are forgotten AXES_COOLOFF_TIME (LOGIN_MEMORY_HOURS) after the last one.

Axes' cool-off is not used for the back-off: it also decides which failures are counted and which records are
deleted, for every client at once, so a wait that grows per counter has to be worked out here.
"""
from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

NO_WAIT = datetime.timedelta(0)


@dataclass(frozen=True)
class Counter:
    fields: tuple[str, ...]  # what the failures are counted by: "username", "ip_address"
    setting: str  # the setting that holds its limit

    @property
    def limit(self) -> int:
        return getattr(settings, self.setting)


COUNTERS = (
    Counter(("username", "ip_address"), "LOGIN_FAILURES_PER_USER_AND_ADDRESS"),
    Counter(("ip_address",), "LOGIN_FAILURES_PER_ADDRESS"),
    Counter(("username",), "LOGIN_FAILURES_PER_USER"),
)


def backoff(failures_past_limit: int) -> datetime.timedelta:
    """The wait after a counter's last failure, once it has `failures_past_limit` failures beyond its limit (0 for
    the failure that reached it): LOGIN_BACKOFF_SECONDS, doubling, at most LOGIN_BACKOFF_MAX_SECONDS."""
    ceiling = settings.LOGIN_BACKOFF_MAX_SECONDS
    doublings = min(failures_past_limit, ceiling.bit_length())  # enough to pass the ceiling, never a huge power
    return datetime.timedelta(seconds=min(settings.LOGIN_BACKOFF_SECONDS * 2 ** doublings, ceiling))


class LoginThrottle(AxesDatabaseHandler):
    """Axes' database handler (it records failures and resets the user-and-address pair on success), locking by
    the counters above instead of one limit for all."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return self.wait(request, credentials) > NO_WAIT

    def wait(self, request: HttpRequest, credentials: dict | None = None) -> datetime.timedelta:
        """How long before this client's next login is checked: the longest wait of its counters."""
        values = {"username": get_client_username(request, credentials), "ip_address": request.axes_ip_address}
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        waits = [NO_WAIT]
        for counter in COUNTERS:
            totals = recent.filter(**{field: values[field] for field in counter.fields}).aggregate(
                failures=Sum("failures_since_start"), last=Max("attempt_time"))
            if totals["failures"] is not None and totals["failures"] >= counter.limit:
                waits.append(totals["last"] + backoff(totals["failures"] - counter.limit) - request.axes_attempt_time)
        return max(waits)


def wait_before_login(request: HttpRequest, username: str) -> datetime.timedelta:
    """For a login that does not go through Django's login views (the registry realm): how long `username` must
    wait, from this request's address, before their password is checked again."""
    AxesProxyHandler.update_request(request)
    return AxesProxyHandler.get_implementation().wait(request, get_credentials(username))


def forget_failures(request: HttpRequest, username: str) -> None:
    """After a successful login that does not go through Django's login (the registry realm): forget the failures
    of this user name from this address, as a site login does."""
    AxesProxyHandler.update_request(request)
    # Docker asks the realm for a token before every push and pull; most follow no failure: spare them a write.
    if AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).exists():
        AxesProxyHandler.reset_attempts(ip_address=request.axes_ip_address, username=username)


def retry_after(wait: datetime.timedelta) -> int:
    """A wait in whole seconds, at least one, as Retry-After gives it."""
    return max(1, math.ceil(wait.total_seconds()))


def lockout_response(request: HttpRequest, *_unused) -> HttpResponse:
    """The page a client that must wait gets instead of a login page (AXES_LOCKOUT_CALLABLE). It reads the user
    name from the request because axes passes different arguments on its synchronous and asynchronous paths."""
    seconds = retry_after(wait_before_login(request, get_client_username(request, request.axes_credentials)))
    response = render(request, "registration/login_wait.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
