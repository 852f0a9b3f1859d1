"""/flags/: raise a flag in ten seconds, add to an open one, and follow each to its outcome."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ceocalls.roles import PROGRAM_ADMINS, SUPPORT_LEADS, is_program_admin, role_required

from .. import selectors
from ..flag_forms import FlagContactForm, FlagPlaceForm, UrgentHandOverForm
from ..forms import FlagDismissForm, FlagFilterForm, FlagForm, FlagNoteForm
from ..models import Customer, Flag, SupportTicket
from ..plan import flag_plan, flag_plans
from ..services import flag_paths
from ..services import flags as services

PER_PAGE = 25
PICKER_LIMIT = 8
TICKET_CHOICES = 40


@role_required(SUPPORT_LEADS, PROGRAM_ADMINS)
def flag_list(request):
    admin = is_program_admin(request.user)
    flags = selectors.flags_for_viewer(request.user, mine_only=not admin)
    counts = dict(flags.order_by().values_list("status").annotate(n=Count("id")))
    form = FlagFilterForm(request.GET)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    if state:
        flags = flags.filter(status=state)
    page = Paginator(flags, PER_PAGE).get_page(request.GET.get("page"))
    plans = flag_plans(list(page))
    return render(
        request,
        "customers/flag_list.html",
        {
            "form": form,
            "state": state,
            "tabs": [(value, label, counts.get(value, 0)) for value, label in Flag.Status.choices],
            "total": sum(counts.values()),
            "page": page,
            "rows": [
                (flag, flag_state, plans.get(flag.pk))
                for flag, flag_state in zip(page, selectors.flag_states(page), strict=True)
            ],
            "admin": admin,
        },
    )


@role_required(SUPPORT_LEADS, PROGRAM_ADMINS)
def flag_new(request):
    """GET ?customer=<id> opens the form for that customer; ?q= finds one (also as you type)."""
    query = " ".join(request.GET.get("q", "").split())
    picks = list(selectors.customer_search(query=query)[:PICKER_LIMIT]) if query else []
    if request.htmx and "q" in request.GET:
        return render(request, "customers/_customer_picker.html", {"picks": picks, "query": query})

    if request.method == "POST":
        form, customer = _bound_flag_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                flag = services.flag_raise(
                    customer_id=data["customer"],
                    by=request.user,
                    reason=data["reason"],
                    urgency=data["urgency"],
                    ticket_id=data["ticket"],
                    contact_id=data["contact"],
                )
            except services.FlagAlreadyActive as exc:
                note = FlagNoteForm(
                    initial={"text": data["reason"], "make_urgent": data["urgency"] == Flag.Urgency.URGENT}
                )
                return _already_flagged(request, exc.flag, note)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{flag.customer.name} is flagged. You will see here what becomes of it.")
                return redirect("flags:detail", pk=flag.pk)
    else:
        form, customer = _unbound_flag_form(request.GET.get("customer"))
        if customer is not None:
            active = selectors.flags_with_state().active().filter(customer=customer).first()
            if active:
                return _already_flagged(request, active, FlagNoteForm())
    return render(
        request, "customers/flag_new.html", {"form": form, "customer": customer, "picks": picks, "query": query}
    )


def _customer_or_none(raw) -> Customer | None:
    try:
        return Customer.objects.filter(pk=int(raw)).first()
    except (TypeError, ValueError):
        return None


def _choices_for(customer: Customer | None) -> dict:
    if customer is None:
        return {"customer": None}
    tickets = SupportTicket.objects.filter(customer=customer).order_by("-created_at", "-id")[:TICKET_CHOICES]
    return {"customer": customer, "tickets": list(tickets), "contacts": list(customer.contacts.all())}


def _unbound_flag_form(raw_customer) -> tuple[FlagForm, Customer | None]:
    customer = _customer_or_none(raw_customer)
    form = FlagForm(initial={"customer": raw_customer}, **_choices_for(customer))
    if raw_customer not in (None, "") and customer is None:
        # Shown beside the customer field: the link or bookmark points at nobody.
        form.customer_error = f"There is no customer with id {raw_customer}; search for the customer instead."
    return form, customer


def _bound_flag_form(post) -> tuple[FlagForm, Customer | None]:
    customer = _customer_or_none(post.get("customer"))
    return FlagForm(post, **_choices_for(customer)), customer


def _already_flagged(request, flag: Flag, note_form: FlagNoteForm):
    flag = selectors.flags_with_state().get(pk=flag.pk)
    return render(
        request,
        "customers/flag_already.html",
        {"flag": flag, "state": selectors.flag_state(flag), "plan": flag_plan(flag), "note_form": note_form},
    )


@role_required(SUPPORT_LEADS, PROGRAM_ADMINS)
def flag_detail(
    request,
    pk: int,
    note_form=None,
    dismiss_form=None,
    contact_form=None,
    place_form=None,
    handover_form=None,
    status=200,
):
    flag = get_object_or_404(selectors.flags_with_state(), pk=pk)
    admin = is_program_admin(request.user)
    active = flag.status in Flag.ACTIVE_STATUSES
    plan = flag_plan(flag)
    urgent_call = _open_urgent_call(flag) if active and admin else None
    contacts = list(flag.customer.contacts.all()) if active else []
    return render(
        request,
        "customers/flag_detail.html",
        {
            "flag": flag,
            "state": selectors.flag_state(flag),
            "plan": plan,
            "note_form": (note_form or FlagNoteForm()) if active else None,
            "dismiss_form": (dismiss_form or FlagDismissForm()) if active and admin else None,
            "contact_form": (contact_form or _contact_form(contacts)) if active else None,
            "contact_open": bool(contact_form) or bool(plan and plan.needs_contact),
            "place_form": (place_form or FlagPlaceForm()) if active and admin else None,
            "urgent_call": urgent_call,
            "handover_form": (
                (handover_form or UrgentHandOverForm(current=urgent_call.executive_id)) if urgent_call else None
            ),
        },
        status=status,
    )


def _contact_form(contacts) -> FlagContactForm:
    """The first contact that may be called but has no number is the one to give a number to."""
    missing = next((c for c in contacts if not c.phone and not c.do_not_call), None)
    return FlagContactForm(contacts=contacts, initial={"contact": missing.pk if missing else ""})


@role_required(SUPPORT_LEADS, PROGRAM_ADMINS)
@require_POST
def flag_add_contact(request, pk: int):
    """No callable contact: a phone for a contact, or a new contact; the flag is placed again."""
    flag = get_object_or_404(Flag.objects.select_related("customer"), pk=pk)
    form = FlagContactForm(request.POST, contacts=list(flag.customer.contacts.all()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = flag_paths.flag_contact_add(
                flag_id=flag.pk,
                by=request.user,
                contact_id=data["contact"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                title=data["title"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{contact.name} can be called now; the flag is placed again.")
            return redirect("flags:detail", pk=flag.pk)
    return flag_detail(request, pk, contact_form=form, status=400)


@role_required(PROGRAM_ADMINS)
@require_POST
def flag_place(request, pk: int):
    """An admin puts the flag on a chosen executive's sheet for a chosen week, with a reason."""
    flag = get_object_or_404(Flag.objects.select_related("customer"), pk=pk)
    form = FlagPlaceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = flag_paths.flag_place(
                flag_id=flag.pk,
                by=request.user,
                executive_id=data["executive"],
                week=data["week"],
                position=data["position"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, f"{flag.customer.name} is on {entry.sheet.executive.name}'s sheet, position {entry.position}."
            )
            return redirect("flags:detail", pk=flag.pk)
    return flag_detail(request, pk, place_form=form, status=400)


def _open_urgent_call(flag: Flag):
    from callsheets.models import UrgentCall

    return UrgentCall.objects.open().filter(flag=flag).select_related("executive__user").first()


@role_required(PROGRAM_ADMINS)
@require_POST
def flag_urgent_hand_over(request, pk: int):
    """An admin hands the flag's open urgent call to another executive, with a reason."""
    from callsheets.services.urgent_calls import urgent_call_hand_over

    flag = get_object_or_404(Flag.objects.select_related("customer"), pk=pk)
    urgent_call = _open_urgent_call(flag)
    form = UrgentHandOverForm(request.POST, current=urgent_call.executive_id if urgent_call else None)
    if urgent_call is None:  # logged or handed over meanwhile: the page has no form to show the error in
        messages.error(request, "This flag has no open urgent call to hand over.")
        return flag_detail(request, pk, status=400)
    if form.is_valid():
        data = form.cleaned_data
        try:
            urgent_call = urgent_call_hand_over(
                urgent_call_id=urgent_call.pk, executive_id=data["executive"], by=request.user, reason=data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, f"{urgent_call.executive.name} now calls {flag.customer.name}; they are e-mailed at once."
            )
            return redirect("flags:detail", pk=flag.pk)
    return flag_detail(request, pk, handover_form=form, status=400)


def _add_errors(form, exc: ValidationError) -> None:
    """A service's errors beside the form's fields; a field the form lacks goes on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@role_required(SUPPORT_LEADS, PROGRAM_ADMINS)
@require_POST
def flag_add_note(request, pk: int):
    flag = get_object_or_404(Flag, pk=pk)
    form = FlagNoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.flag_add_note(
                flag_id=flag.pk,
                by=request.user,
                text=form.cleaned_data["text"],
                make_urgent=form.cleaned_data["make_urgent"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            urgent = " and made it urgent" if note.made_urgent else ""
            messages.success(request, f"You added to the flag on {flag.customer.name}{urgent}.")
            return redirect("flags:detail", pk=flag.pk)
    return flag_detail(request, pk, note_form=form, status=400)


@role_required(PROGRAM_ADMINS)
@require_POST
def flag_dismiss(request, pk: int):
    flag = get_object_or_404(Flag, pk=pk)
    form = FlagDismissForm(request.POST)
    if form.is_valid():
        try:
            services.flag_dismiss(flag_id=flag.pk, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"The flag on {flag.customer.name} is dismissed; its lead sees your reason.")
            return redirect("flags:detail", pk=flag.pk)
    return flag_detail(request, pk, dismiss_form=form, status=400)
