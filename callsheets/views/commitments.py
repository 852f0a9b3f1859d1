"""/commitments/: every promise made on a call, filtered, acted on one by one or in bulk, exported."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from ceocalls.csvfiles import csv_writer
from ceocalls.params import id_param
from ceocalls.redirects import safe_next
from customers.selectors import customer_search

from ..forms import commitments as forms
from ..models import Commitment, overdue_today
from ..services import commitments as services
from ..templatetags.sheet_tags import person

PAGE_SIZE = 50
PICKS = 8  # customers offered under the customer box
CSV_HEADER = [
    "id",
    "customer_id",
    "customer",
    "promise",
    "made_by",
    "call_id",
    "called_at",
    "owner",
    "owner_email",
    "due_date",
    "status",
    "overdue",
    "customer_told",
    "age_days",
    "resolution",
    "completed_at",
]


def _scope(user):
    return Commitment.objects.for_reviewer(user)


@login_required
@require_GET
def commitment_list(request):
    fmt = request.GET.get("format", "")
    if fmt not in ("", "html", "csv"):
        return HttpResponse(f"format: {fmt!r} is not supported; use format=csv.", status=400, content_type="text/plain")
    if fmt == "csv":
        form = forms.CommitmentFilterForm(request.GET, scope=_scope(request.user))
        if not form.is_valid():
            return HttpResponse("\n".join(form.error_sentences()), status=400, content_type="text/plain")
        return _csv_response(form.filter(_scope(request.user)))
    return _render_list(request, request.GET)


def _render_list(request, params: QueryDict, bulk_form=None, selected=(), status=200, back: str = ""):
    user, today = request.user, overdue_today()
    scope = _scope(user)
    form = forms.CommitmentFilterForm(params, scope=scope)
    page = None
    if form.is_valid():
        # The page's ids first, sorted and cut on the commitments alone; then those 50 with their
        # relations. Joined before the LIMIT, PostgreSQL joined every commitment to its call,
        # executive, customer and owner only to keep 50 of them.
        page = Paginator(form.filter(scope).values_list("pk", flat=True), PAGE_SIZE).get_page(params.get("page"))
        ids = list(page.object_list)
        found = Commitment.objects.select_related("customer", "owner", "call__executive__user").order_by().in_bulk(ids)
        page.object_list = [found[pk] for pk in ids]
        for c in page.object_list:
            c.overdue_days = (today - c.due_date).days if c.is_overdue(today) else 0
            c.age_days = (today - timezone.localdate(c.created_at)).days
    else:
        status = 400
    data = form.cleaned_data if form.is_valid() else {}
    picks = []
    if data.get("customer_q") and not data.get("customer"):
        # The customers the typed text finds, each a link that narrows the list to that one.
        found = customer_search(query=data["customer_q"]).filter(Exists(scope.filter(customer=OuterRef("pk"))))
        # Names only: the search's tier prefetch would load each deferred tier one query at a time.
        picks = list(found.prefetch_related(None).only("id", "name", "external_id")[:PICKS])
    totals = scope.totals(today)
    query = params.copy()
    query.pop("page", None)
    # Where the bulk form returns to: this list with its filters and page, whatever URL rendered it
    # (after a refused bulk action, that is /commitments/bulk/: its `next` is kept instead).
    if not back:
        here = params.copy()
        here.pop("format", None)
        back = reverse("commitments:list") + (f"?{here.urlencode()}" if here else "")
    sort_query = query.copy()
    sort_query.pop("sort", None)
    pick_query = query.copy()
    for name in ("customer", "customer_q"):
        pick_query.pop(name, None)
    context = {
        "form": form,
        "page": page,
        "totals": totals,
        "today": today,
        "query": query.urlencode(),
        "back": back,
        "sort_query": sort_query.urlencode(),
        "pick_query": pick_query.urlencode(),
        "picks": picks,
        "chosen_customer": data.get("customer"),
        "current_sort": params.get("sort") or "attention",
        "bulk_form": bulk_form or forms.BulkActionForm(),
        "selected": {i for i in map(id_param, selected) if i is not None},
        "filtered": any(
            params.get(k) for k in ("executive", "owner", "customer", "customer_q", "status", "due_from", "due_to")
        )
        or params.get("overdue") == "1",
        "can_see_all": user.has_perm("callsheets.view_all_commitments"),
    }
    return render(request, "callsheets/commitment_list.html", context, status=status)


class _Buffer:
    """What csv.writer writes to: collected, and handed out a chunk of rows at a time."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, value: str) -> None:
        self.parts.append(value)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


# The CSV's columns, read as plain values (no model instances: six per row through select_related
# were a third of the export's time); the names are joined here as User.get_full_name() does.
CSV_VALUES = (
    "pk",
    "customer_id",
    "customer__name",
    "promise",
    "call__executive__user__first_name",
    "call__executive__user__last_name",
    "call__executive__user__email",
    "call__executive__user__username",
    "call_id",
    "call__called_at",
    "owner__first_name",
    "owner__last_name",
    "owner__email",
    "due_date",
    "status",
    "customer_told",
    "created_at",
    "resolution",
    "completed_at",
)
CSV_CHUNK = 1000  # rows per database fetch and per piece of the streamed answer


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _csv_rows(queryset):
    today, zone = overdue_today(), timezone.get_current_timezone()  # read once, not per row
    buffer = _Buffer()
    writer = csv_writer(buffer)
    writer.writerow(CSV_HEADER)
    open_status = Commitment.Status.OPEN
    rows = queryset.values_list(*CSV_VALUES).iterator(chunk_size=CSV_CHUNK)
    for n, row in enumerate(rows, 1):
        (pk, customer_id, customer, promise, ex_first, ex_last, ex_email, ex_username, call_id, called_at,
         owner_first, owner_last, owner_email, due, status, told, created, resolution, completed) = row  # fmt: skip
        writer.writerow(
            [
                pk,
                customer_id,
                customer,
                promise,
                _full_name(ex_first, ex_last) or ex_email or ex_username,
                call_id,
                called_at.astimezone(zone).isoformat(timespec="minutes"),
                _full_name(owner_first, owner_last) or owner_email,
                owner_email,
                due.isoformat(),
                status,
                "yes" if status == open_status and due < today else "no",
                "yes" if told else "no",
                (today - created.astimezone(zone).date()).days,
                resolution,
                completed.astimezone(zone).isoformat(timespec="minutes") if completed else "",
            ]
        )
        if n % CSV_CHUNK == 0:
            yield buffer.take()
    yield buffer.take()


def _csv_response(queryset) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_rows(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="commitments-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


BULK_SERVICES = {
    "done": lambda ids, by, d: services.commitment_bulk_complete(commitment_ids=ids, by=by, resolution=d["text"]),
    "drop": lambda ids, by, d: services.commitment_bulk_drop(commitment_ids=ids, by=by, reason=d["text"]),
    "reassign": lambda ids, by, d: services.commitment_bulk_reassign(commitment_ids=ids, by=by, owner=d["owner"]),
    "move_due": lambda ids, by, d: services.commitment_bulk_move_due(commitment_ids=ids, by=by, due_date=d["due_date"]),
    "told": lambda ids, by, d: services.commitment_bulk_mark_told(commitment_ids=ids, by=by, told=True),
    "not_told": lambda ids, by, d: services.commitment_bulk_mark_told(commitment_ids=ids, by=by, told=False),
}
# Actions that are hard to undo for many rows at once: the user confirms them on a page of their own.
CONFIRM_FIRST = {"drop", "reassign"}


def _commitments(n: int) -> str:
    return f"{n} commitment{'s'[: n != 1]}"


def _bulk_done(action: str, changed: int, selected: int, data: dict) -> str:
    """The success message, naming what changed: "3 commitments marked done"."""
    done = {
        "done": "marked done",
        "drop": "dropped",
        "reassign": f"reassigned to {person(data.get('owner'))}",
        "move_due": f"now due {data['due_date']:%-d %b %Y}" if data.get("due_date") else "moved",
        "told": "marked as told to the customer",
        "not_told": "marked as not yet told",
    }[action]
    unchanged = selected - changed
    note = f" ({unchanged} already {'was' if unchanged == 1 else 'were'})" if unchanged else ""
    return f"{_commitments(changed)} {done}{note}."


@login_required
@require_POST
def commitment_bulk(request):
    """Applies one action to the ticked rows, then returns to the list the user came from (`next`).

    Drop and reassign first answer with a confirmation page (no JavaScript needed); its button posts
    the same fields again with `confirm=1`. A refused or incomplete action re-renders that list
    with the error and the ticks kept, and its form still returns to the list, not to this URL.
    """
    back = safe_next(request, reverse("commitments:list"))
    form = forms.BulkActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        action, ids = data["action"], data["ids"]
        try:
            if action in CONFIRM_FIRST and not data["confirm"]:
                rows = services.commitment_bulk_check(commitment_ids=ids, by=request.user, action=action)
                return _confirm_page(request, form, rows, back)
            changed = BULK_SERVICES[action](ids, request.user, data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _bulk_done(action, len(changed), len(set(ids)), data))
            return HttpResponseRedirect(back)
    params = QueryDict(urlsplit(back).query)
    return _render_list(request, params, bulk_form=form, selected=request.POST.getlist("ids"), status=400, back=back)


def _confirm_page(request, form, rows, back):
    data = form.cleaned_data
    action = data["action"]
    unchanged = [c for c in rows if action == "reassign" and c.owner_id == data["owner"].pk]
    context = {
        "action": action,
        "data": data,
        "rows": rows,
        "unchanged": {c.pk for c in unchanged},
        "count": _commitments(len(rows) - len(unchanged)),
        "owner_name": person(data.get("owner")),
        "back": back,
    }
    return render(request, "callsheets/commitment_bulk_confirm.html", context)


ACTION_FORMS = {
    "complete": forms.CompleteForm,
    "drop": forms.DropForm,
    "reassign": forms.ReassignForm,
    "move-due": forms.MoveDueForm,
    "told": forms.ToldForm,
}


def _detail_context(commitment, bound=None):
    context = {
        "commitment": commitment,
        "today": overdue_today(),
        "changes": commitment.changes.select_related("by"),
    }
    for action, form_class in ACTION_FORMS.items():
        key = action.replace("-", "_") + "_form"
        if isinstance(bound, form_class):
            context[key] = bound
        else:
            initial = {"told": "0" if commitment.customer_told else "1", "due_date": commitment.due_date}
            context[key] = form_class(prefix=action, initial=initial)
    return context


def _get_commitment(request, pk):
    return get_object_or_404(
        _scope(request.user).select_related("customer", "owner", "call__executive__user", "call__contact"), pk=pk
    )


@login_required
@require_GET
def commitment_detail(request, pk):
    commitment = _get_commitment(request, pk)
    return render(request, "callsheets/commitment_detail.html", _detail_context(commitment))


def _run(action, commitment, by, data):
    kw = {"commitment_id": commitment.pk, "by": by}
    if action == "complete":
        services.commitment_complete(**kw, resolution=data["resolution"])
        return "Marked done."
    if action == "drop":
        services.commitment_drop(**kw, reason=data["reason"])
        return "Dropped."
    if action == "reassign":
        services.commitment_reassign(**kw, owner=data["owner"], note=data["note"])
        return f"Now owned by {services.user_label(data['owner'])}."
    if action == "move-due":
        services.commitment_move_due(**kw, due_date=data["due_date"], note=data["note"])
        return f"Due date moved to {data['due_date']:%d %b %Y}."
    services.commitment_mark_told(**kw, told=data["told"])
    return "Recorded that the customer was told." if data["told"] else "Recorded that the customer is not told yet."


@login_required
@require_POST
def commitment_action(request, pk, action):
    commitment = _get_commitment(request, pk)
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return HttpResponse(f"Unknown action {action!r}.", status=404, content_type="text/plain")
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        try:
            done = _run(action, commitment, request.user, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return HttpResponseRedirect(safe_next(request, reverse("commitments:detail", args=[commitment.pk])))
    context = _detail_context(commitment, bound=form)
    context["open_action"] = action
    return render(request, "callsheets/commitment_detail.html", context, status=400)
