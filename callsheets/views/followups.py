"""/calls/<id>/follow-up/: the e-mail to the customer after a call. GET shows the draft (or what was
sent); POST sends it, once. For the executive who made the call and program admins."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ceocalls.people import display_name
from ceocalls.roles import EXECUTIVES, PROGRAM_ADMINS, role_required

from ..forms.followups import FollowUpForm
from ..models import CallFollowUp, CallLog, call_notes_readable
from ..services.followups import follow_up_draft, follow_up_send
from .sheet import _attach


def _call_for(request, pk: int) -> CallLog:
    """A call whose follow-up the user may write; another executive's call is 404, as elsewhere."""
    calls = CallLog.objects.follow_up_writable_by(request.user).select_related(
        "customer", "contact", "executive__user", "entry__sheet", "follow_up__sent_by"
    )
    return get_object_or_404(calls, pk=pk)


def _follow_up(call: CallLog) -> CallFollowUp | None:
    try:
        return call.follow_up
    except CallFollowUp.DoesNotExist:
        return None


def sent_words(follow_up: CallFollowUp, executive) -> str:
    """'Tue 24 Nov 2026 at 14:05 (Europe/Oslo) by Anna Berg': on the executive's clock, as the call's time is."""
    at = timezone.localtime(follow_up.sent_at or follow_up.claimed_at, executive.zoneinfo)
    by = f" by {display_name(follow_up.sent_by)}" if follow_up.sent_by else ""
    return f"{at:%a} {at.day} {at:%b %Y at %H:%M} ({executive.timezone}){by}"


def _back_url(request, call: CallLog) -> str:
    if call.entry is not None:
        url = reverse("callsheets:week", args=[call.entry.sheet.week_start])
        if call.executive.user_id != request.user.pk:
            url += f"?executive={call.executive_id}"
        return f"{url}#entry-{call.entry_id}"
    return reverse("customers:detail", args=[call.customer_id])


@role_required(EXECUTIVES, PROGRAM_ADMINS)
@require_http_methods(["GET", "POST"])
def call_follow_up(request, pk: int):
    call = _call_for(request, pk)
    follow_up = _follow_up(call)
    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                follow_up, sent_now = follow_up_send(call_id=call.pk, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _attach(form, exc)
            else:
                if sent_now:
                    messages.success(request, f"The follow-up went to {follow_up.to}.")
                elif follow_up.is_sent:
                    messages.info(
                        request,
                        f"This follow-up was already sent {sent_words(follow_up, call.executive)}; it was not sent again.",
                    )
                else:
                    messages.info(request, "This follow-up is being sent right now; it will not be sent twice.")
                return HttpResponseRedirect(reverse("callsheets:call_follow_up", args=[call.pk]))
        return _render(request, call, _follow_up_fresh(call), form=form, status=400)
    return _render(request, call, follow_up)


def _follow_up_fresh(call: CallLog) -> CallFollowUp | None:
    """The follow-up as the database has it now (a failed send just recorded its error)."""
    return CallFollowUp.objects.select_related("sent_by").filter(call=call).first()


def _render(request, call: CallLog, follow_up: CallFollowUp | None, *, form=None, status=200):
    draft = follow_up_draft(call=call)
    done = follow_up is not None and follow_up.status != CallFollowUp.Status.FAILED
    if form is None and not done:
        initial = {"subject": draft.subject, "body": draft.body}
        if follow_up is not None:  # a failed attempt: what was written, to send again
            initial = {"subject": follow_up.subject, "body": follow_up.body}
        form = FollowUpForm(initial=initial)
    context = {
        "call": call,
        "customer": call.customer,
        "executive": call.executive,
        "follow_up": follow_up,
        "done": done,
        "sent_words": sent_words(follow_up, call.executive) if follow_up else "",
        "draft": draft,
        "form": form,
        "notes_readable": bool(call.notes) and call_notes_readable(call, request.user),
        "back_url": _back_url(request, call),
    }
    return render(request, "callsheets/call_follow_up.html", context, status=status)
