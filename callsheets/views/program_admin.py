"""Admin actions on /program/: build a week's sheets (a Celery task), executives' slots, scoring policy."""

import logging
from datetime import datetime

from celery.result import AsyncResult
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ceocalls.celery import app as celery_app
from ceocalls.redirects import safe_next
from ceocalls.roles import PROGRAM_ADMINS, role_required

from .. import tasks
from ..forms.policy import ScoringPolicyForm
from ..forms.program import BuildForm, SlotForm, timezone_names
from ..models import Executive, ScoringPolicy
from ..services import executives as executive_services

log = logging.getLogger(__name__)

SESSION_KEY = "program_builds"
KEEP_BUILDS = 6
FINAL_STATES = {"SUCCESS", "FAILURE", "REVOKED"}
STATE_LABELS = {
    "PENDING": "queued",
    "RECEIVED": "queued",
    "STARTED": "running",
    "RETRY": "retrying",
    "SUCCESS": "done",
    "FAILURE": "failed",
    "REVOKED": "cancelled",
}


def _enqueue(week, executive) -> tuple[str | None, str, str]:
    """Sends the build to the worker; returns (task id, state, detail). Eager mode is done at once."""
    try:
        result = tasks.build_week_task.delay(week.isoformat(), executive_id=executive.pk if executive else None)
    except Exception as exc:  # an eager failure or a broker that is down: tell the admin, keep the page
        log.exception("Could not build the sheets for the week of %s", week)
        return None, "FAILURE", f"{type(exc).__name__}: {exc}"
    state = result.state if result.ready() else "PENDING"
    return result.id, state, _describe(result) if result.ready() else ""


def _describe(result) -> str:
    value = result.result
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    if isinstance(value, dict) and isinstance(value.get("sheets"), list):
        sheets = value["sheets"]
        entries = sum(s.get("entries", 0) + s.get("backups", 0) for s in sheets if isinstance(s, dict))
        text = f"{len(sheets)} sheet{'s' if len(sheets) != 1 else ''}, {entries} entries"
        left_off = value.get("skipped") or {}
        if isinstance(left_off, dict) and left_off:
            text += "; left off: " + ", ".join(f"{n} {code.replace('_', ' ')}" for code, n in left_off.items())
        messages_ = [m for m in value.get("messages") or [] if isinstance(m, str)]
        return text + (". " + " ".join(messages_[:3]) if messages_ else "")
    if isinstance(value, int | str | float) and len(str(value)) < 200:
        return str(value)
    return ""


@role_required(PROGRAM_ADMINS)
@require_POST
def build(request):
    """POST week (YYYY-MM-DD), optional executive (id) and next (a local path): queue the build."""
    back = safe_next(request, reverse("program:page"))
    form = BuildForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Sheets not built: {error}")
        return HttpResponseRedirect(back)
    week, executive = form.cleaned_data["week"], form.cleaned_data["executive"]
    task_id, state, detail = _enqueue(week, executive)
    who = executive.name if executive else "every active executive"
    builds = request.session.get(SESSION_KEY, [])
    builds.insert(
        0,
        {
            "id": task_id,
            "week": week.isoformat(),
            "who": who,
            "at": timezone.now().isoformat(),
            "state": state,
            "detail": detail,
        },
    )
    request.session[SESSION_KEY] = builds[:KEEP_BUILDS]
    if state == "FAILURE":
        messages.error(request, f"The build of the week of {week:%d %b %Y} for {who} failed: {detail}")
    elif state == "SUCCESS":
        messages.success(request, f"Sheets for the week of {week:%d %b %Y} built for {who}.")
    else:
        messages.info(
            request, f"Building the sheets for the week of {week:%d %b %Y} for {who}; the state shows on /program/."
        )
    return HttpResponseRedirect(back)


def recent_builds(request) -> list[dict]:
    """The session's recent builds, with the live state of those not finished yet."""
    builds = request.session.get(SESSION_KEY, [])
    changed = False
    for b in builds:
        if b["id"] and b["state"] not in FINAL_STATES:
            result = AsyncResult(b["id"], app=celery_app)
            state = result.state
            if state != b["state"]:
                b["state"], b["detail"], changed = state, _describe(result) if state in FINAL_STATES else "", True
    if changed:
        request.session[SESSION_KEY] = builds
    return [
        {
            **b,
            "at": datetime.fromisoformat(b["at"]),
            "label": STATE_LABELS.get(b["state"], b["state"].lower()),
            "final": b["state"] in FINAL_STATES,
        }
        for b in builds
    ]


def builds_context(request) -> dict:
    builds = recent_builds(request)
    return {"builds": builds, "builds_pending": any(not b["final"] for b in builds)}


@role_required(PROGRAM_ADMINS)
@require_GET
def build_status(request):
    """The builds list alone, polled by the program page while a build is unfinished."""
    return render(request, "program/_builds.html", builds_context(request))


def _slot_form(executive, data=None):
    initial = {
        "weekday": executive.weekday,
        "start_time": executive.start_time,
        "duration_minutes": executive.duration_minutes,
        "minutes_per_call": executive.minutes_per_call,
        "timezone": executive.timezone,
        "is_active": executive.is_active,
    }
    return SlotForm(data, initial=initial, prefix=f"e{executive.pk}")


@role_required(PROGRAM_ADMINS)
@require_GET
def executive_list(request):
    executives = list(Executive.objects.select_related("user").order_by("-is_active", "user__first_name", "id"))
    rows = [(e, _slot_form(e)) for e in executives]
    return render(request, "program/executives.html", {"rows": rows, "timezones": timezone_names()})


@role_required(PROGRAM_ADMINS)
@require_http_methods(["POST"])
def executive_slot(request, pk):
    executive = get_object_or_404(Executive.objects.select_related("user"), pk=pk)
    form = _slot_form(executive, request.POST)
    if form.is_valid():
        try:
            executive_services.executive_update_slot(executive_id=executive.pk, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            executive.refresh_from_db()
            messages.success(
                request, f"{executive.name}: {executive.slot_label}{'' if executive.is_active else ' (inactive)'}."
            )
            return HttpResponseRedirect(reverse("program:executives") + f"#executive-{executive.pk}")
    executives = list(Executive.objects.select_related("user").order_by("-is_active", "user__first_name", "id"))
    rows = [(e, form if e.pk == executive.pk else _slot_form(e)) for e in executives]
    return render(request, "program/executives.html", {"rows": rows, "timezones": timezone_names()}, status=400)


@role_required(PROGRAM_ADMINS)
@require_http_methods(["GET", "POST"])
def policy_edit(request):
    """The active scoring policy, edited in place; the next build uses it (its inputs keep a snapshot)."""
    policy = ScoringPolicy.objects.active()
    form = ScoringPolicyForm(request.POST or None, instance=policy)
    form.fields.pop("is_active", None)  # exactly one policy is active: this page edits that one
    if request.method == "POST" and form.is_valid():
        form.instance.updated_by = request.user
        form.save()
        messages.success(request, "Scoring policy saved. The next build uses it; rebuild a week to apply it now.")
        return HttpResponseRedirect(reverse("program:policy"))
    status = 400 if request.method == "POST" else 200
    return render(request, "program/policy.html", {"form": form, "policy": policy}, status=status)
