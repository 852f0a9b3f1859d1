"""Small filters for the call sheet: reasons in words with quotes and ticket links, money.
Phone numbers: {% load phones %} (customers/templatetags/phones.py)."""

import re
from decimal import Decimal

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from ceocalls.people import display_name

from ..models import CallFollowUp, call_notes_readable, follow_up_writable

register = template.Library()

# A quoted comment ("…" or “…”) or a ticket number (#4812) inside a reason's sentence.
_REASON_PARTS = re.compile(r'(?P<quote>"[^"]+"|“[^”]+”)|#(?P<ticket>[A-Za-z0-9-]*\d[A-Za-z0-9-]*)')


@register.filter
def reason_html(text: str, customer_id) -> str:
    """The builder's sentence with the customer's own words set as a quote and tickets linked
    to the customer's timeline."""
    out, last = [], 0
    for match in _REASON_PARTS.finditer(text or ""):
        out.append(escape(text[last : match.start()]))
        if match["quote"]:
            out.append(format_html('<span class="quote">“{}”</span>', match["quote"][1:-1]))
        else:
            number = match["ticket"]
            out.append(format_html('<a href="/customers/{}/#ticket-{}">#{}</a>', customer_id, number, number))
        last = match.end()
    out.append(escape((text or "")[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


@register.filter
def notes_readable_by(call, user) -> bool:
    """{% if call|notes_readable_by:user %}: the one rule for who reads a call's notes
    (callsheets.models.call_notes_readable), on every page that shows them."""
    return bool(call) and call_notes_readable(call, user)


@register.filter
def can_follow_up(call, user) -> bool:
    """May `user` write this call's follow-up to the customer (models.follow_up_writable)."""
    return call is not None and follow_up_writable(call, user)


@register.filter
def sent_follow_up(call) -> CallFollowUp | None:
    """The call's follow-up when it went out, else None; reads the row select_related brought along."""
    try:
        follow_up = call.follow_up
    except (CallFollowUp.DoesNotExist, AttributeError):
        return None
    return follow_up if follow_up.is_sent else None


@register.filter
def money(value) -> str:
    """Annual revenue at a glance: $2.4M, $380k, $9,500."""
    amount = Decimal(value or 0)
    if amount >= 1_000_000:
        return f"${amount / 1_000_000:.1f}M".replace(".0M", "M")
    if amount >= 10_000:
        return f"${amount / 1000:.0f}k"
    return f"${amount:,.0f}"


@register.filter
def person(user) -> str:
    return display_name(user) or "someone"


@register.filter
def first_line(text: str, length: int = 140) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


@register.filter
def add_days(day, days: int):
    from datetime import timedelta

    return day + timedelta(days=int(days)) if day else day
