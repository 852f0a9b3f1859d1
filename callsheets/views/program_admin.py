"""Admin actions on /program/: build a week's sheets (a Celery task), executives' slots, scoring policy."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ceocalls.redirects import safe_next
from ceocalls.roles import PROGRAM_ADMINS, role_required
from customers.models import Tier
from customers.services.tiers import tiers_save

from ..forms.policy import SURVEY_LINE, ScoringPolicyForm, TierFormSet
from ..forms.program import BuildForm, SlotForm, timezone_names
from ..models import BuildRun, Executive, ScoringPolicy
from ..services import builds as build_services
from ..services import executives as executive_services
from ..survey_line import survey_line_preview

RECENT_RUNS = 8
POLL_FAST_FOR = timedelta(minutes=10)  # a run asked for this recently is polled every 2 s, an older one every 30 s


@role_required(PROGRAM_ADMINS)
@require_POST
def build(request):
    """POST week (YYYY-MM-DD), optional executive (id) and next (a local path): record the build and queue it."""
    back = safe_next(request, reverse("program:page"))
    form = BuildForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Sheets not built: {error}")
        return HttpResponseRedirect(back)
    week, executive = form.cleaned_data["week"], form.cleaned_data["executive"]
    run = build_services.build_run_request(week=week, executive=executive, by=request.user, origin=BuildRun.Origin.PAGE)
    run.refresh_from_db()  # the in-process default has built it already; a broker that is down left a note
    messages.add_message(request, *build_services.build_run_outcome(run))
    return HttpResponseRedirect(back)


def builds_context(request) -> dict:
    """The recent build runs of every admin, beat and command, newest first, and whether to poll."""
    runs = list(BuildRun.objects.select_related("requested_by")[:RECENT_RUNS])
    for run in runs:
        run.detail = build_services.build_run_describe(run)
    unfinished = [r for r in runs if not r.is_finished]
    recent = any(r.queued_at >= timezone.now() - POLL_FAST_FOR for r in unfinished)
    return {"builds": runs, "builds_pending": bool(unfinished), "builds_poll": "2s" if recent else "30s"}


@role_required(PROGRAM_ADMINS)
@require_GET
def build_status(request):
    """The build runs alone, polled by the program page while one is unfinished."""
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
    """The active scoring policy, edited in place, and the company's tiers with their multipliers
    (customers.models.Tier); the next build uses them (its inputs keep a snapshot)."""
    policy = ScoringPolicy.objects.active()
    form = ScoringPolicyForm(request.POST or None, instance=policy)
    form.fields.pop("is_active", None)  # exactly one policy is active: this page edits that one
    # A POST without the tiers (an older form, a script) leaves the tiers as they are.
    posts_tiers = request.method == "POST" and "tiers-TOTAL_FORMS" in request.POST
    tiers = TierFormSet(request.POST if posts_tiers else None, queryset=Tier.objects.all(), prefix="tiers")
    preview = survey_line_preview(policy)
    if request.method == "POST" and form.is_valid() and (not posts_tiers or tiers.is_valid()):
        if "preview" in request.POST:  # the survey line's count before saving: nothing is written
            preview = survey_line_preview(form.instance)
            context = {"form": form, "policy": policy, "preview": preview, "tiers": tiers}
            return render(request, "program/policy.html", context)
        with transaction.atomic():
            form.instance.updated_by = request.user
            form.save()
            if posts_tiers:
                tiers_save(formset=tiers)
        messages.success(request, "Scoring policy saved. The next build uses it; rebuild a week to apply it now.")
        return HttpResponseRedirect(reverse("program:policy"))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "policy": policy, "preview": preview, "tiers": tiers}
    return render(request, "program/policy.html", context, status=status)


@role_required(PROGRAM_ADMINS)
@require_GET
def policy_survey_preview(request):
    """How many flags the survey line as typed (query string: the form's survey fields) would have
    raised over the last 8 weeks; the policy page asks for it (htmx) whenever a survey field changes."""
    values = {k: v for k, v in ScoringPolicy.objects.active().snapshot().items() if k != "is_active"}
    # The rest of the policy as saved; the survey line as typed (an unticked box is not sent: False).
    data = {k: v for k, v in values.items() if k not in SURVEY_LINE} | request.GET.dict()
    form = ScoringPolicyForm(data, instance=ScoringPolicy(**values))
    form.fields.pop("is_active", None)
    if not form.is_valid():
        errors = [str(e) for name in SURVEY_LINE for e in form.errors.get(name, [])]
        return render(
            request, "program/_survey_preview.html", {"errors": errors or ["Check the survey line's fields."]}
        )
    return render(request, "program/_survey_preview.html", {"preview": survey_line_preview(form.instance)})
