"""Sending one e-mail once: claim the (kind, recipient, period) row, render, send, record."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import EmailDelivery, NotificationPreference

logger = logging.getLogger(__name__)


def site_url(path: str = "/") -> str:
    return f"{settings.SITE_URL}{path}"


def email_render(*, name: str, context: dict) -> tuple[str, str, str]:
    """Subject, plain text and HTML of templates/emails/<name>.*; the subject is one line."""
    context = {
        "site_url": settings.SITE_URL,
        "preferences_url": site_url(reverse("notifications:preferences")),
    } | context
    subject = " ".join(render_to_string(f"emails/{name}.subject.txt", context).split())
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def preferences_for(users: Iterable) -> dict[int, NotificationPreference]:
    """Preferences of these users by user id, in one query; a user without a row wants everything."""
    return {p.user_id: p for p in NotificationPreference.objects.filter(user__in=list(users))}


def wants(preferences: dict[int, NotificationPreference], user, kind: str) -> bool:
    preference = preferences.get(user.pk)
    return preference is None or preference.wants(kind)


def delivery_claim(*, kind: str, recipient, period_key: str, content: dict | None = None) -> EmailDelivery | None:
    """Claims the right to send this e-mail; None when it was sent or is being sent already.

    The insert is guarded by the unique (kind, recipient, period_key) constraint and commits at
    once (outside any transaction), so two workers racing for it cannot both win. A failed
    earlier attempt is taken over by a conditional UPDATE, which also only one worker can win.
    `content` records what the e-mail tells (see flag_emails).
    """
    now = timezone.now()
    content = content or {}
    try:
        with transaction.atomic():
            return EmailDelivery.objects.create(
                kind=kind,
                recipient=recipient,
                period_key=period_key,
                to=recipient.email,
                claimed_at=now,
                content=content,
            )
    except IntegrityError:
        pass
    retry = EmailDelivery.objects.filter(
        kind=kind,
        recipient=recipient,
        period_key=period_key,
        status=EmailDelivery.Status.FAILED,
        attempts__lt=EmailDelivery.MAX_ATTEMPTS,
    )
    if retry.update(
        status=EmailDelivery.Status.SENDING,
        to=recipient.email,
        claimed_at=now,
        error="",
        attempts=F("attempts") + 1,
        content=content,
    ):
        return EmailDelivery.objects.get(kind=kind, recipient=recipient, period_key=period_key)
    return None


def email_send_once(
    *, kind: str, recipient, period_key: str, template: str, context: dict, content: dict | None = None
) -> str:
    """Sends one e-mail unless it already went out for this period: "sent", "skipped" or "failed".

    Never raises for a bad address, a template error or a refusing SMTP server: the failure is
    logged and recorded on the delivery row, so the rest of a batch goes on.
    """
    if not recipient.email:
        logger.info("No %s for user %s: no e-mail address.", kind, recipient.pk)
        return "skipped"
    delivery = delivery_claim(kind=kind, recipient=recipient, period_key=period_key, content=content)
    if delivery is None:
        return "skipped"
    try:
        subject, text, html = email_render(name=template, context=context | {"recipient": recipient})
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [recipient.email])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception as exc:  # one bad address or server answer must not stop the batch
        logger.exception("Sending %s for %s to %s failed.", kind, period_key, recipient.email)
        EmailDelivery.objects.filter(pk=delivery.pk).update(
            status=EmailDelivery.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return "failed"
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        status=EmailDelivery.Status.SENT, sent_at=timezone.now(), subject=subject[:300]
    )
    return "sent"
