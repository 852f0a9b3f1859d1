"""Where a form sends the user back to: the one definition of a safe `next` URL."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_local_path(target: str, request: HttpRequest) -> bool:
    """A path on this site ("/commitments/?overdue=1"), never another host, scheme or "//host"."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter of the request (POST first, then the query string) when it is a local
    path, else `default`. Every view that returns the user to where they came from calls this."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    return target if is_local_path(target, request) else default
