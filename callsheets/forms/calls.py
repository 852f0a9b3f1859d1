"""The call form on a sheet card and its commitment rows. Shapes only: rules live in services.calls."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.forms import formset_factory
from django.utils import timezone

from ceocalls.limits import CALL_NOTES, PROMISE, LimitedTextField

from ..models import CallLog
from ..selectors.sheet import place_of
from ..services.calls import MAX_DURATION, PromiseInput, commitment_errors

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


class ZonedDateTimeField(forms.DateTimeField):
    """A date and time typed on the clock of `zone` (the executive's), whatever the server's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"}, format=LOCAL_MINUTE)

    def __init__(self, *, zone: ZoneInfo | None = None, **kwargs):
        kwargs.setdefault("input_formats", [LOCAL_MINUTE, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"])
        super().__init__(**kwargs)
        self.zone = zone or ZoneInfo("UTC")

    def to_python(self, value):
        with timezone.override(self.zone):  # a typed time is the executive's wall-clock time
            return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.make_naive(value, self.zone).replace(second=0, microsecond=0)
        return value


class CallForm(forms.Form):
    called_at = ZonedDateTimeField(
        label="When",
        required=False,
        error_messages={"invalid": "Enter the date and time of the call, like 2026-11-24 10:15."},
    )
    outcome = forms.ChoiceField(
        choices=CallLog.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the call went."},
    )
    duration_minutes = forms.IntegerField(
        label="Minutes",
        required=False,
        min_value=0,
        max_value=MAX_DURATION,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    sentiment = forms.ChoiceField(
        label="Customer's mood",
        choices=[("", "—")] + list(CallLog.Sentiment.choices),
        required=False,
    )
    notes = LimitedTextField(
        CALL_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What you heard, in a line or two"}),
    )
    notes_private = forms.BooleanField(
        required=False,
        help_text="Otherwise every executive preparing a call with this customer reads them; support leads never do.",
    )

    def __init__(self, *args, zone: str = "UTC", author: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Whose call it is: "you" on one's own sheet, the executive's name for an admin looking on.
        self.fields["notes_private"].label = f"Private: only {author or 'you'} and program admins read these notes"
        field = self.fields["called_at"]
        field.zone = ZoneInfo(zone)
        field.label = f"When ({place_of(zone)} time)"
        field.widget.attrs["max"] = timezone.localtime(timezone.now(), field.zone).strftime(LOCAL_MINUTE)

    def call_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "called_at": d.get("called_at"),
            "outcome": d["outcome"],
            "duration_minutes": d.get("duration_minutes"),
            "sentiment": d.get("sentiment") or "",
            "notes": d.get("notes") or "",
            "notes_private": bool(d.get("notes_private")),
        }


def owner_label(user) -> str:
    return user.get_full_name() or user.email


class OwnerChoices:
    """The people a promise can be given to, worked out once for every promise row of a page."""

    def __init__(self, owners):
        owners = list(owners)
        self.by_pk = {user.pk: user for user in owners}
        self.choices = [(user.pk, owner_label(user)) for user in owners]


class CommitmentForm(forms.Form):
    """One promise. A row left as it was offered (blank promise, default owner) is ignored."""

    promise = LimitedTextField(
        PROMISE,
        label="What was promised",
        required=False,
        widget=forms.Textarea(attrs={"rows": 1, "placeholder": "What was promised"}),
    )
    owner = forms.TypedChoiceField(coerce=int, required=False)  # choices: the page's OwnerChoices
    due_date = forms.DateField(
        label="Due",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date like 2026-12-01."},
    )

    def __init__(self, *args, owners=(), today: date, **kwargs):
        super().__init__(*args, **kwargs)
        # `owners` is a list of users or, shared by every form of a page, an OwnerChoices.
        owners = owners if isinstance(owners, OwnerChoices) else OwnerChoices(owners)
        self.owners = owners.by_pk
        self.today = today
        # Already (value, label) pairs: handed over as they are rather than normalised again for
        # every row of every card (the choices setter copies and normalises the whole list).
        owner = self.fields["owner"]
        owner._choices = owner.widget.choices = owners.choices
        self.fields["due_date"].widget.attrs["min"] = today.isoformat()

    def owner_name(self, value) -> str:
        """The name shown for the owner `value` (a user id, as posted or offered); "" for nobody known."""
        try:
            user = self.owners.get(int(value))
        except (TypeError, ValueError):
            return ""
        return owner_label(user) if user else ""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        owner = self.owners.get(data.get("owner"))
        for field, message in commitment_errors(
            promise=data.get("promise", ""), owner=owner, due_date=data.get("due_date"), today=self.today
        ).items():
            self.add_error(field, message)
        data["owner"] = owner
        return data

    def promise_input(self) -> PromiseInput:
        d = self.cleaned_data
        return PromiseInput(promise=d["promise"], owner=d["owner"], due_date=d["due_date"])


CommitmentFormSet = formset_factory(CommitmentForm, extra=1, max_num=20, absolute_max=20)


def call_forms(
    *,
    prefix: str,
    owners,
    default_owner,
    today: date,
    zone: str,
    data=None,
    call: CallLog | None = None,
    called_at: datetime | None = None,
    author: str | None = None,
):
    """The card's call form and its commitment rows; bound when `data` is given.

    `zone` is the executive's: the call's time is shown and typed on their clock. `called_at` is
    the time offered for a call not yet logged (services.calls.call_time_default). `author` names
    the executive whose call it is when someone else (a program admin) is looking; None: "you".
    """
    if call is not None:
        fields = ("called_at", "outcome", "duration_minutes", "sentiment", "notes", "notes_private")
        initial = {f: getattr(call, f) for f in fields}
    else:
        initial = {"called_at": called_at}
    form = CallForm(data, prefix=prefix, initial=initial, zone=zone, author=author)
    owners = owners if isinstance(owners, OwnerChoices) else OwnerChoices(owners)
    formset = CommitmentFormSet(
        data,
        prefix=f"{prefix}-c",
        initial=None,
        form_kwargs={"owners": owners, "today": today, "initial": {"owner": default_owner.pk}},
    )
    return form, formset


def promise_row_template(*, owners, default_owner, today: date):
    """The empty promise row every card's "+ Add another promise" copies, rendered once per page.

    Its names carry two placeholders that static/js/sheet.js replaces: `__card__` (the card's
    prefix, e.g. `e12`) and `__prefix__` (the row's number in that card's formset).
    """
    formset = CommitmentFormSet(
        prefix=f"{CARD_PLACEHOLDER}-c",
        form_kwargs={"owners": owners, "today": today, "initial": {"owner": default_owner.pk}},
    )
    return formset.empty_form


CARD_PLACEHOLDER = "__card__"


def promises_of(formset) -> list[PromiseInput]:
    return [f.promise_input() for f in formset.forms if f.has_changed() and f.cleaned_data]
