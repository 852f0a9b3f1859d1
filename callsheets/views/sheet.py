"""The executive's weekly call sheet: read it, log calls and promises on the cards, skip, print.

Every write answers with a redirect back to the sheet (so a reload never posts twice); a form
with mistakes re-renders the page with that card's form bound. The cards post through htmx
and pick their own fragment out of the answer, so nothing leaves the page; without JavaScript
the same forms work as plain posts.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.timesince import timesince, timeuntil
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ceocalls.params import id_param
from ceocalls.roles import EXECUTIVES, PROGRAM_ADMINS, role_required

from ..forms.calls import OwnerChoices, call_forms, promise_row_template, promises_of
from ..hours import zone
from ..models import CallLog, CallSheet, Executive, SheetEntry, UrgentCall, week_start_of
from ..selectors.sheet import active_owners, executives_for_picker, place_of, sheet_page
from ..services.calls import call_correct, call_log, call_time_default, entry_skip, entry_unskip, executive_today
from ..services.urgent_calls import urgent_call_acknowledge, urgent_call_log

VIEW_ALL = "callsheets.view_all_sheets"


def _own_executive(user) -> Executive | None:
    return Executive.objects.filter(user=user).select_related("user").first()


def _target_executive(request) -> Executive | None:
    """Whose sheet: `?executive=ID` for a program admin (or oneself), else one's own; a stranger's is 404."""
    wanted = request.GET.get("executive", "").strip()
    if not wanted:
        return _own_executive(request.user)
    executive_id = id_param(wanted)
    if executive_id is None:
        raise Http404("No such executive.")
    executive = get_object_or_404(Executive.objects.select_related("user"), pk=executive_id)
    if executive.user_id != request.user.pk and not request.user.has_perm(VIEW_ALL):
        raise Http404("No such executive.")
    return executive


def _week_url(executive: Executive, week: date, request, *, print_view: bool = False) -> str:
    name = "callsheets:print" if print_view else "callsheets:week"
    url = reverse(name, args=[week.isoformat()])
    if executive.user_id != request.user.pk:
        url += "?" + urlencode({"executive": executive.pk})
    return url


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_GET
def sheet_current(request):
    executive = _target_executive(request)
    if executive is None:
        return _no_executive(request)
    return _render_sheet(request, executive, executive.current_week_start())


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_GET
def sheet_week(request, week: date):
    if week.weekday() != 0:  # any day of a week names that week; the address shows its Monday
        return _redirect_to_monday(request, "callsheets:week", week)
    executive = _target_executive(request)
    if executive is None:
        return _no_executive(request)
    return _render_sheet(request, executive, week)


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_GET
def sheet_print(request, week: date):
    if week.weekday() != 0:
        return _redirect_to_monday(request, "callsheets:print", week)
    executive = _target_executive(request)
    if executive is None:
        return _no_executive(request)
    sheet = _sheet(request, executive, week)
    context = _frame(request, executive, week, sheet)
    if sheet:
        context["page"] = sheet_page(sheet=sheet)
    return render(request, "callsheets/sheet_print.html", context)


def _redirect_to_monday(request, name: str, week: date):
    url = reverse(name, args=[week_start_of(week).isoformat()])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


def _no_executive(request):
    context = {"executives": executives_for_picker() if request.user.has_perm(VIEW_ALL) else None}
    return render(request, "callsheets/sheet_no_executive.html", context)


def _sheet(request, executive: Executive, week: date) -> CallSheet | None:
    return (
        CallSheet.objects.for_viewer(request.user)
        .filter(executive=executive, week_start=week)
        .select_related("executive__user")
        .first()
    )


def _frame(request, executive: Executive, week: date, sheet: CallSheet | None) -> dict:
    """What the page says around the cards: the week, the slot, how far away it is, the neighbours."""
    now = timezone.now()
    current = executive.current_week_start(now)
    start = (sheet.slot_starts_at if sheet and sheet.slot_starts_at else None) or executive.slot_start(week)
    end = start + timedelta(minutes=executive.duration_minutes) if start else None
    if start is None:
        when = ""
    elif now < start:
        when = f"in {timeuntil(start, now, depth=2)}"
    elif now < end:
        when = f"now: started {timesince(start, now, depth=1)} ago"
    else:
        when = f"ended {timesince(end, now, depth=1)} ago"
    return {
        "executive": executive,
        "exec_place": place_of(executive.timezone),
        "is_own": executive.user_id == request.user.pk,
        "week": week,
        "week_end": week + timedelta(days=6),
        "sheet": sheet,
        "slot_start": timezone.localtime(start, executive.zoneinfo) if start else None,
        "slot_end": timezone.localtime(end, executive.zoneinfo) if end else None,
        "when": when,
        "is_past": end < now if end else week + timedelta(days=7) <= current,
        "is_current": week == current,
        "is_future": week > current,
        "today": timezone.localdate(now, executive.zoneinfo),
        "current_week": current,
        "prev_url": _week_url(executive, week - timedelta(days=7), request),
        "next_url": _week_url(executive, week + timedelta(days=7), request),
        "current_url": _week_url(executive, current, request),
        "print_url": _week_url(executive, week, request, print_view=True),
        "here": _week_url(executive, week, request),
    }


def _urgent_cards(request, executive: Executive, bound: dict) -> list[UrgentCall]:
    """The executive's open urgent calls, each with its call form: above everything, whatever the week."""
    urgent_calls = list(
        UrgentCall.objects.open()
        .filter(executive=executive)
        .select_related("customer__tier", "contact", "flag__survey_response", "flag__ticket", "flag__raised_by")
        .order_by("deadline", "id")
    )
    if not urgent_calls:
        return []
    owners, today, now = active_owners(), executive_today(executive), timezone.now()
    for uc in urgent_calls:
        tz_name = (uc.contact.timezone if uc.contact else "") or uc.customer.timezone
        # Said as strings: the page renders in the executive's zone, these are on the customer's clock.
        uc.local_now = f"{timezone.localtime(now, zone(tz_name)):%a %H:%M} ({tz_name})"
        uc.local_deadline = f"{timezone.localtime(uc.deadline, uc.customer.zoneinfo):%a %-d %b, %H:%M}"
        uc.overdue = uc.deadline < now
        if uc.pk in bound:
            uc.form, uc.formset = bound[uc.pk]
            uc.editing = True
        else:
            uc.form, uc.formset = call_forms(
                prefix=f"u{uc.pk}",
                owners=owners,
                default_owner=executive.user,
                today=today,
                zone=executive.timezone,
                called_at=now,
                author=None if executive.user_id == request.user.pk else executive.name,
            )
            uc.editing = False
    return urgent_calls


def _sheet_context(request, executive: Executive, week: date, *, bound=None, urgent_bound=None, open_entry=None):
    """The sheet's context. A card's call form is built only when it is bound (a post with mistakes) or
    opened (`open_entry`, the GET of its log form): most visits only read the sheet, and the forms
    were half of its CPU."""
    sheet = _sheet(request, executive, week)
    context = _frame(request, executive, week, sheet)
    context["urgent_calls"] = _urgent_cards(request, executive, urgent_bound or {})
    context["can_build"] = request.user.has_perm("callsheets.build_sheets")
    context["can_pick"] = request.user.has_perm(VIEW_ALL)
    if context["can_pick"]:
        context["executives"] = executives_for_picker()
    if sheet:
        page = sheet_page(sheet=sheet)
        bound = bound or {}
        now = timezone.now()
        owners = OwnerChoices(page.owners)  # one list for every promise row of the page
        for card in page.cards:
            card.form = card.formset = None
            card.editing = card.entry.pk in bound
            if card.editing:
                card.form, card.formset = bound[card.entry.pk]
            elif card.entry.pk == open_entry:
                card.form, card.formset = call_forms(
                    prefix=f"e{card.entry.pk}",
                    owners=owners,
                    default_owner=executive.user,
                    today=page.today,
                    zone=executive.timezone,
                    call=card.call,
                    called_at=call_time_default(expected=card.starts_at, slot_end=context["slot_end"], now=now),
                    author=None if context["is_own"] else executive.name,
                )
        context["page"] = page
        context["outcome_choices"] = CallLog.Outcome.choices
        context["owner_choices"] = owners.choices
        context["promise_row"] = promise_row_template(owners=owners, default_owner=executive.user, today=page.today)
        if context["is_current"] and context["is_past"]:
            context["next_sheet_ready"] = CallSheet.objects.filter(
                executive=executive, week_start=week + timedelta(days=7)
            ).exists()
    return context


def _render_sheet(request, executive: Executive, week: date, *, bound: dict | None = None, urgent_bound=None):
    context = _sheet_context(request, executive, week, bound=bound, urgent_bound=urgent_bound)
    return render(request, "callsheets/sheet_week.html", context)


def _entry_for(request, pk: int) -> SheetEntry:
    """An entry on a sheet the user may see; anything else is 404."""
    return get_object_or_404(
        SheetEntry.objects.filter(sheet__in=CallSheet.objects.for_viewer(request.user)).select_related(
            "sheet__executive__user", "customer"
        ),
        pk=pk,
    )


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_http_methods(["GET", "POST"])
def entry_log(request, pk: int):
    """GET: the card's call form, opened (a fragment for htmx, else a page of its own, so it works
    without JavaScript). POST: logs the entry's call, or corrects it when it is already logged, with
    any new promises."""
    entry = _entry_for(request, pk)
    executive = entry.sheet.executive
    if request.method == "GET":
        return _entry_log_form(request, entry)
    form, formset = call_forms(
        prefix=f"e{entry.pk}",
        owners=active_owners(),
        default_owner=executive.user,
        today=executive_today(executive),
        zone=executive.timezone,
        data=request.POST,
        author=None if executive.user_id == request.user.pk else executive.name,
    )
    if form.is_valid() and formset.is_valid():
        existing = SheetEntry.objects.filter(pk=entry.pk, call__isnull=False).values_list("call__id", flat=True).first()
        try:
            if existing:
                call_correct(call_id=existing, by=request.user, promises=promises_of(formset), **form.call_fields())
            else:
                call_log(entry_id=entry.pk, by=request.user, promises=promises_of(formset), **form.call_fields())
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return HttpResponseRedirect(f"{_week_url(executive, entry.sheet.week_start, request)}#entry-{entry.pk}")
    return _render_sheet(request, executive, entry.sheet.week_start, bound={entry.pk: (form, formset)})


def _entry_log_form(request, entry: SheetEntry):
    executive = entry.sheet.executive
    context = _sheet_context(request, executive, entry.sheet.week_start, open_entry=entry.pk)
    card = next((c for c in context["page"].cards if c.entry.pk == entry.pk), None) if context.get("page") else None
    if card is None:  # the sheet is not the viewer's to read this way (for_viewer), or the entry left it
        raise Http404("No such call on the sheet.")
    context["card"] = card
    outcome = request.GET.get("outcome", "")
    if card.call is None and card.form is not None and outcome in CallLog.Outcome.values:
        card.form.initial["outcome"] = outcome  # the outcome button the executive pressed on the card
    context["sheet_url"] = f"{_week_url(executive, entry.sheet.week_start, request)}#entry-{entry.pk}"
    if request.htmx:
        return render(request, "callsheets/sheet_call_log_form.html", context)
    return render(request, "callsheets/sheet_entry_log.html", context)


def _attach(form, exc: ValidationError) -> None:
    """A service's field errors go beside the fields the form has; the rest above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_POST
def entry_skip_view(request, pk: int):
    entry = _entry_for(request, pk)
    try:
        if request.POST.get("undo"):
            entry_unskip(entry_id=entry.pk, by=request.user)
        else:
            promoted = entry_skip(entry_id=entry.pk, by=request.user)
            if promoted:
                messages.info(request, f"{entry.customer} skipped; {promoted.customer} moves up from the backups.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(f"{_week_url(entry.sheet.executive, entry.sheet.week_start, request)}#entry-{entry.pk}")


def _urgent_call_for(request, pk: int) -> UrgentCall:
    """An urgent call the user may see (their own; any for a program admin); anything else is 404."""
    return get_object_or_404(
        UrgentCall.objects.for_viewer(request.user).select_related("executive__user", "customer"), pk=pk
    )


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_POST
def urgent_log(request, pk: int):
    """Logs an urgent call outside the slot with the same form, rules and promises as a card's call."""
    urgent_call = _urgent_call_for(request, pk)
    executive = urgent_call.executive
    form, formset = call_forms(
        prefix=f"u{urgent_call.pk}",
        owners=active_owners(),
        default_owner=executive.user,
        today=executive_today(executive),
        zone=executive.timezone,
        data=request.POST,
        author=None if executive.user_id == request.user.pk else executive.name,
    )
    back = _week_url(executive, executive.current_week_start(), request)
    if form.is_valid() and formset.is_valid():
        try:
            urgent_call_log(
                urgent_call_id=urgent_call.pk, by=request.user, promises=promises_of(formset), **form.call_fields()
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, f"Urgent call to {urgent_call.customer} logged; the lead is told.")
            return HttpResponseRedirect(back)
    return _render_sheet(
        request, executive, executive.current_week_start(), urgent_bound={urgent_call.pk: (form, formset)}
    )


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_POST
def urgent_acknowledge(request, pk: int):
    """The executive has seen the urgent call: program admins are not told it went unanswered."""
    urgent_call = _urgent_call_for(request, pk)
    try:
        urgent_call_acknowledge(urgent_call_id=urgent_call.pk, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, f"Acknowledged: you call {urgent_call.customer} by the deadline.")
    executive = urgent_call.executive
    return HttpResponseRedirect(f"{_week_url(executive, executive.current_week_start(), request)}#urgent-{pk}")
