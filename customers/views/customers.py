"""/customers/ and /customers/<id>/: find a customer, and see everything that happened with them."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from callsheets.builder import explain_customer
from callsheets.models import ScoringPolicy
from ceocalls.roles import EXECUTIVES, PROGRAM_ADMINS, SUPPORT_LEADS, is_program_admin, is_support_lead, role_required

from .. import selectors
from ..forms import CustomerSearchForm
from ..models import Contact, Customer

PER_PAGE = 25
TIMELINE_LIMIT = 60
BUILDER_STATES = {
    "would_be_listed": "Would be listed",
    "on_sheet": "On a sheet",
    "cooldown": "In cooldown",
    "no_callable_contact": "No callable contact",
    "no_signal": "No signal",
    "churned": "Churned",
}


@role_required(EXECUTIVES, SUPPORT_LEADS, PROGRAM_ADMINS)
def customer_list(request):
    form = CustomerSearchForm(request.GET)
    # A bad filter value is shown beside its field; the other filters still apply.
    data = {name: form.cleaned_data.get(name) for name in form.fields} if form.is_valid() else _valid_part(form)
    policy = ScoringPolicy.objects.active()
    customers = selectors.customer_search(
        query=data.get("q") or "", tier=data.get("tier") or "", alarm=bool(data.get("alarm")), policy=policy
    ).prefetch_related(Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primaries"))
    page = Paginator(customers, PER_PAGE).get_page(request.GET.get("page"))
    alarms = selectors.alarms_for([c.pk for c in page], policy=policy)
    rows = [(customer, alarms.get(customer.pk, [])) for customer in page]
    return render(
        request,
        "customers/customer_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "searched": any(data.get(name) for name in ("q", "tier", "alarm")),
            "can_flag": _can_flag(request.user),
        },
    )


def _valid_part(form) -> dict:
    return {name: value for name, value in getattr(form, "cleaned_data", {}).items() if name not in form.errors}


TIMELINE_SOURCES = {"flag": "flag", "survey": "survey", "ticket": "ticket", "commitment": "overdue"}


@role_required(EXECUTIVES, SUPPORT_LEADS, PROGRAM_ADMINS)
def customer_detail(request, pk: int):
    customer = get_object_or_404(Customer, pk=pk)
    show_all = request.GET.get("timeline") == "all"
    events, more = selectors.customer_timeline(customer, limit=None if show_all else TIMELINE_LIMIT)
    policy, now = ScoringPolicy.objects.active(), timezone.now()
    # The signals' rows are mostly on the timeline already: passed on, not read again.
    known = {"flag": [], "survey": [], "ticket": [], "overdue": []}
    for event in events:
        known.get(TIMELINE_SOURCES.get(event.kind, ""), []).append(event.obj)
    signals = selectors.customer_signals(customer, policy=policy, now=now, known=known)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "contacts": list(customer.contacts.all()),
            "signals": signals,
            "events": events,
            "more_events": more,
            "can_flag": _can_flag(request.user),
        },
    )


@role_required(EXECUTIVES, SUPPORT_LEADS, PROGRAM_ADMINS)
@require_GET
def customer_outlook(request, pk: int):
    """What a build would do with the customer now, in the builder's own words (explain_customer).

    The customer page loads it after itself with htmx (its reads are the builder's, about eleven
    queries); without JavaScript the page links here and this is a page of its own.
    """
    customer = get_object_or_404(Customer, pk=pk)
    explanation = explain_customer(customer)  # the builder's own rules, never re-implemented here
    context = {
        "customer": customer,
        "explanation": explanation,
        "explanation_label": BUILDER_STATES.get(getattr(explanation, "state", ""), ""),
    }
    return render(request, "customers/_outlook.html" if request.htmx else "customers/outlook.html", context)


def _can_flag(user) -> bool:
    return is_support_lead(user) or is_program_admin(user)
