"""The call form on a sheet card and its commitment rows. Shapes only: rules live in services.calls."""

from datetime import date

from django import forms
from django.forms import formset_factory

from ..models import CallLog
from ..services.calls import MAX_DURATION, PromiseInput, commitment_errors


class CallForm(forms.Form):
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
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What you heard, in a line or two"}),
    )

    def call_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "outcome": d["outcome"],
            "duration_minutes": d.get("duration_minutes"),
            "sentiment": d.get("sentiment") or "",
            "notes": d.get("notes") or "",
        }


class CommitmentForm(forms.Form):
    """One promise. A row left as it was offered (blank promise, default owner) is ignored."""

    promise = forms.CharField(
        label="What was promised",
        required=False,
        widget=forms.Textarea(attrs={"rows": 1, "placeholder": "What was promised"}),
    )
    owner = forms.TypedChoiceField(coerce=int, required=False)
    due_date = forms.DateField(
        label="Due",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date like 2026-12-01."},
    )

    def __init__(self, *args, owners=(), today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {user.pk: user for user in owners}
        self.today = today
        self.fields["owner"].choices = [(user.pk, user.get_full_name() or user.email) for user in owners]
        self.fields["due_date"].widget.attrs["min"] = today.isoformat()

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


def call_forms(*, prefix: str, owners, default_owner, today: date, data=None, call: CallLog | None = None):
    """The card's call form and its commitment rows; bound when `data` is given."""
    initial = None
    if call is not None:
        initial = {f: getattr(call, f) for f in ("outcome", "duration_minutes", "sentiment", "notes")}
    form = CallForm(data, prefix=prefix, initial=initial)
    formset = CommitmentFormSet(
        data,
        prefix=f"{prefix}-c",
        initial=None,
        form_kwargs={"owners": owners, "today": today, "initial": {"owner": default_owner.pk}},
    )
    return form, formset


def promises_of(formset) -> list[PromiseInput]:
    return [f.promise_input() for f in formset.forms if f.has_changed() and f.cleaned_data]
