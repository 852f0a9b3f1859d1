"""Logging filters (settings.LOGGING)."""

import logging


class ForbiddenOneLine(logging.Filter):
    """Turns a 403 record of `django.request` (PermissionDenied, with a traceback) or
    `django.security.csrf` into one line: who, from where, which path, and why."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        request = getattr(record, "request", None)
        reason = ""
        if record.exc_info and record.exc_info[1] is not None:
            reason = str(record.exc_info[1]) or type(record.exc_info[1]).__name__
        elif record.args and len(record.args) == 2:  # CSRF: "Forbidden (%s): %s" % (reason, path)
            reason = str(record.args[0])
        record.msg = "Forbidden: user=%s ip=%s %s %s reason=%s"
        record.args = (_who(request), _ip(request), getattr(request, "method", "-"), _path(request), reason or "-")
        record.exc_info = record.exc_text = None
        return True


def _who(request) -> str:
    user = getattr(request, "user", None)
    try:
        if user is not None and user.is_authenticated:
            return f"{user.get_username()}#{user.pk}"
    except Exception:  # a broken session must not break the log line
        return "unknown"
    return "anonymous"


def _ip(request) -> str:
    if request is None:
        return "-"
    from .signin import client_ip

    return client_ip(request) or "-"


def _path(request) -> str:
    return getattr(request, "path", "-").encode("unicode_escape").decode("ascii")[:300]
