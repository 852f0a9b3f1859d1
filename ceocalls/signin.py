"""Sign-in that resists guessing, on django-axes (settings: LOGIN_*, AXES_*; README "Security and reliability").

Wrong passwords are counted three ways within LOGIN_COOLOFF_MINUTES, each group with the failure that
locks it: one account from one address (LOGIN_FAILURE_LIMIT, the 6th), one address whatever the
account (LOGIN_ADDRESS_FAILURE_LIMIT, the 30th: an office behind one address is not locked by one
person's typos) and one account whatever the address (LOGIN_ACCOUNT_FAILURE_LIMIT, the 20th: a guesser
spread over many addresses). A locked group refuses every sign-in it covers, the right password
included, until the cool-off has passed since its last counted failure, or an admin deletes the attempts.
"""

import ipaddress
import math
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_lockout_parameters
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the entry the outermost
    one appended to X-Forwarded-For (a client can forge the entries left of it, never that one)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass  # not an address: the request did not come through the proxies
    return remote


def client_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The e-mail as typed, trimmed and lower-cased, so `Maya@…` and `maya@…` count as one account."""
    raw = credentials.get("username") if credentials else getattr(request, "POST", {}).get("username")
    return (raw or "").strip().lower()[:255]


def _group(parameters) -> tuple[str, ...]:
    return (parameters,) if isinstance(parameters, str) else tuple(sorted(parameters))


def group_limit(parameters) -> int:
    """How many failures the lockout group ('username'+'ip_address', 'ip_address' or 'username') allows."""
    return {
        ("ip_address",): settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        ("username",): settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
    }.get(_group(parameters)) or settings.AXES_FAILURE_LIMIT


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per lockout group instead of one for all.

    Axes compares `get_failures()` with AXES_FAILURE_LIMIT; each group's count is scaled onto that
    limit, so a group reaches it exactly when its own count reaches its own limit. One query per group.
    """

    def _groups(self, request, credentials):
        parameters = get_lockout_parameters(request, credentials)
        return zip(parameters, self.get_user_attempts(request, credentials), strict=True)

    def get_failures(self, request, credentials: dict | None = None) -> int:
        limit = settings.AXES_FAILURE_LIMIT
        worst = 0
        for parameters, attempts in self._groups(request, credentials):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures * limit // group_limit(parameters))
        return worst

    def locked_groups(self, request, credentials: dict | None = None) -> list[tuple[tuple[str, ...], datetime]]:
        """The groups at their limit, each with the end of its wait (its last counted failure + cool-off)."""
        locked = []
        for parameters, attempts in self._groups(request, credentials):
            row = attempts.aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
            if (row["n"] or 0) >= group_limit(parameters):
                locked.append((_group(parameters), row["last"] + get_cool_off(request)))
        return locked


SCOPES = {
    ("ip_address", "username"): "this account from this address",
    ("ip_address",): "every account from this address",
    ("username",): "this account from every address",
}


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The sign-in page's lockout message (429): what happened, when to try again, whom to ask."""
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    now = timezone.now()
    locked = handler.locked_groups(request, credentials) if isinstance(handler, LoginThrottleHandler) else []
    retry_at = max((until for _, until in locked), default=now + get_cool_off(request))
    scopes = [SCOPES[group] for group, _ in locked if group in SCOPES] or [SCOPES[("ip_address", "username")]]
    context = {
        "username": client_username(request, credentials),
        "scope": scopes[-1],  # the widest group that is locked
        "retry_at": retry_at,
        "minutes": max(1, math.ceil((retry_at - now).total_seconds() / 60)),
        "cool_off_minutes": settings.LOGIN_COOLOFF_MINUTES,
    }
    return render(request, "registration/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
