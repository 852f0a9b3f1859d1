"""Signed-in sessions for the page benchmark, and the pages worth measuring in this data set.

python -m bench.sessions    prints one JSON object: {"cookies": {role: session key}, "pages": [...]}
"""

import json
import os


def session_for(user) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def pages_and_sessions() -> dict:
    """Sessions for an executive, a program admin and a support lead, and the pages to measure."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from callsheets.models import Executive, SheetEntry, week_start_of
    from ceocalls.roles import PROGRAM_ADMINS, SUPPORT_LEADS
    from customers.models import Customer, SupportTicket

    from .dataset import read_meta

    with connection.cursor() as cursor:
        meta = read_meta(cursor.cursor) or {}
    # The executive whose sheet this week is the fullest.
    week = week_start_of(timezone.localdate())
    busiest = (
        SheetEntry.objects.filter(week_start=week)
        .values("sheet__executive")
        .annotate(n=Count("id"))
        .order_by("-n", "sheet__executive")
        .first()
    )
    executive = Executive.objects.get(pk=busiest["sheet__executive"]) if busiest else Executive.objects.first()
    admin = User.objects.filter(groups__name=PROGRAM_ADMINS, is_staff=True).order_by("id").first()
    lead = User.objects.filter(groups__name=SUPPORT_LEADS).order_by("id").first()
    longest = meta.get("longest_customer_id")
    if longest is None:
        longest = SupportTicket.objects.values("customer").annotate(n=Count("id")).order_by("-n").first()["customer"]
    tickets = SupportTicket.objects.filter(customer_id=longest).count()
    word = meta.get("search_word") or Customer.objects.order_by("id").first().name.split()[0]
    cookies = {
        "executive": session_for(executive.user),
        "admin": session_for(admin),
        "lead": session_for(lead),
    }
    pages = [
        {"name": "/healthz (baseline)", "path": "/healthz", "as": None},
        {"name": "/sheet/ (executive)", "path": "/sheet/", "as": "executive"},
        {"name": f"customer, {tickets:,} tickets", "path": f"/customers/{longest}/", "as": "executive"},
        {"name": f"search “{word}”", "path": f"/customers/?q={word}", "as": "lead"},
        {"name": "/commitments/ page 1", "path": "/commitments/", "as": "admin"},
        {"name": "/commitments/?format=csv", "path": "/commitments/?format=csv", "as": "admin"},
        {"name": "/program/", "path": "/program/", "as": "admin"},
        {"name": "/program/topics/", "path": "/program/topics/", "as": "admin"},
        {"name": "/flags/ (admin)", "path": "/flags/", "as": "admin"},
        {"name": "/flags/ (lead)", "path": "/flags/", "as": "lead"},
        {"name": "/admin/", "path": "/admin/", "as": "admin"},
    ]
    return {"cookies": cookies, "pages": pages, "executive_id": executive.pk}


def main() -> None:
    import django

    django.setup()
    print(json.dumps(pages_and_sessions()))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")
    main()
