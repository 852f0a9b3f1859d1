from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_safe

from callsheets.models import CallSheet, Commitment, Executive, SheetEntry, overdue_today, week_start_of
from callsheets.selectors.metrics import program_metrics
from customers import selectors
from customers.models import Flag

from . import roles
from .celery import app as celery_app


@cache
def _favicon_bytes() -> bytes | None:
    found = finders.find("favicon.ico")
    return Path(found).read_bytes() if found else None


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on every page whatever the <link rel="icon"> says."""
    icon = _favicon_bytes()
    if icon is None:
        raise Http404("No favicon.ico among the static files.")
    return HttpResponse(icon, content_type="image/x-icon")


@require_GET
@never_cache
def healthz(request):
    """Liveness for load balancers: the database answers; the broker is up, down or not configured."""
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database, status = "down", 503
    return JsonResponse({"database": database, "broker": broker_state()}, status=status)


def broker_state() -> str:
    from django.conf import settings

    if not settings.REDIS_URL:
        return "not configured"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        return "down"


@login_required
def home(request):
    """Each role's start page; a user with several roles sees each part."""
    user = request.user
    context = {"today": overdue_today()}
    executive = Executive.objects.filter(user=user).first()
    if executive and roles.role_names(user) == {roles.EXECUTIVES}:
        return redirect("callsheets:current")  # an executive's home is the sheet itself
    if roles.is_executive(user) and executive:
        week = executive.current_week_start()
        sheet = CallSheet.objects.filter(executive=executive, week_start=week).first()
        context.update(
            executive=executive,
            sheet=sheet,
            entries=SheetEntry.objects.filter(sheet=sheet).select_related("customer", "contact") if sheet else [],
            slot_start=executive.slot_start(week),
            my_commitments=Commitment.objects.open()
            .filter(call__executive=executive)
            .select_related("customer", "owner")[:10],
        )
    if roles.is_support_lead(user):
        flags = selectors.flags_with_state().filter(raised_by=user)[:15]
        context["my_flags"] = [(flag, selectors.flag_state(flag)) for flag in flags]
    if roles.is_program_admin(user):
        context["numbers"] = _program_today()
    return render(request, "home.html", context)


def _program_today() -> dict:
    """The admin's home numbers, each from the definition /program/, /commitments/ and the weekly
    e-mail use: this week's calls as program_metrics counts them, "overdue now" as overdue_q."""
    week = week_start_of(overdue_today())
    calls = program_metrics(start=week, end=week, calls_only=True)
    flags, commitments = Flag.objects.waiting_totals(), Commitment.objects.totals()
    return {
        "week": week,
        "calls": calls.total,
        "executives": sum(1 for e in calls.executives.values() if e.is_active and e.has_slot),
        "active_flags": flags["waiting"],
        "urgent_flags": flags["urgent"],
        "open_commitments": commitments["open"],
        "overdue_commitments": commitments["overdue"],
    }
