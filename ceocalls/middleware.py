"""Request-wide rules for signed-in users: sessions that end, and pages no cache keeps."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.cache import patch_cache_control

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# The idle clock is written at most once a minute, so a page does not cost a session write per request.
TOUCH_EVERY_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="ceocalls.session_start")
def session_start(sender, request, user, **kwargs):
    """Every sign-in (the form, force_login, a password reset) starts both clocks."""
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_end_reason(session, now: float) -> str | None:
    """Why this session is over, in words, or None while it may go on."""
    signed_in_at = session.get(SIGNED_IN_AT, now)
    last_seen_at = session.get(LAST_SEEN_AT, signed_in_at)
    hours, minutes = settings.SESSION_ABSOLUTE_HOURS, settings.SESSION_IDLE_MINUTES
    if now - signed_in_at >= hours * 3600:
        return f"You were signed out {hours} hour{pluralize(hours)} after signing in. Please sign in again."
    if now - last_seen_at >= minutes * 60:
        return f"You were signed out after {minutes} minute{pluralize(minutes)} without activity. Please sign in again."
    return None


class SessionLimitsMiddleware:
    """Ends a session SESSION_IDLE_MINUTES after its last request and SESSION_ABSOLUTE_HOURS after sign-in.

    The request then goes on signed out: a page that needs a user sends it to the sign-in page, where
    the reason is shown.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            reason = session_end_reason(request.session, now)
            if reason:
                logout(request)
                messages.info(request, reason)
            elif now - request.session.get(LAST_SEEN_AT, 0) >= TOUCH_EVERY_SECONDS:
                request.session.setdefault(SIGNED_IN_AT, now)  # a session from before these rules
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


# Responses meant to be cached or fetched by machines: the probe, the calendar apps' feed, the webhooks.
CACHEABLE_VIEWS = {
    "healthz",
    "notifications:calendar_feed",
    "imports:tickets_webhook",
    "imports:surveys_webhook",
}


class SignedInNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every page a signed-in user gets: no shared proxy and no
    browser history keeps call notes or customers after sign-out. Static files never reach here
    (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match and match.view_name in CACHEABLE_VIEWS:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
