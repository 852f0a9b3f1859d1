"""The flag page's forms for its no-dead-end paths; the rules live in customers.services.flag_paths."""

from django import forms

from callsheets.models import Executive
from ceocalls.limits import FLAG_NOTE, LimitedTextField


class FlagContactForm(forms.Form):
    """A phone number for an existing contact, or a new contact (name, e-mail, phone, title)."""

    contact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Contact")
    name = forms.CharField(required=False, max_length=200, label="New contact's name")
    title = forms.CharField(required=False, max_length=200)
    email = forms.CharField(required=False, max_length=254, label="E-mail")
    phone = forms.CharField(max_length=40, error_messages={"required": "Give a phone number the executive can call."})

    def __init__(self, *args, contacts=(), **kwargs):
        kwargs.setdefault("auto_id", "contact_%s")  # the page has other forms: ids stay unique
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "A new contact (fill in the name below)")] + [
            (c.pk, f"{c}{' — asked not to be called' if c.do_not_call else ''}") for c in contacts
        ]


class FlagPlaceForm(forms.Form):
    """An admin's placement: whose sheet, which week, which place, and why."""

    executive = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose the executive."})
    week = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the week; the sheet is created if that week was not built.",
        error_messages={"required": "Choose the week.", "invalid": "Give the week as a date, YYYY-MM-DD."},
    )
    position = forms.IntegerField(min_value=1, max_value=100, initial=1, help_text="1: first call of the slot.")
    reason = LimitedTextField(
        FLAG_NOTE,
        label="Why this sheet? The flag's history keeps it.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why this flag goes on this sheet; the flag's history keeps it."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "place_%s")  # the page has other forms (the dismissal's reason): ids stay unique
        super().__init__(*args, **kwargs)
        self.fields["executive"].choices = [("", "Choose…")] + [
            (e.pk, f"{e.name} — {e.slot_label}") for e in Executive.objects.with_slot().select_related("user")
        ]


class UrgentHandOverForm(forms.Form):
    """An admin hands an open urgent call to another executive, and says why."""

    executive = forms.TypedChoiceField(
        coerce=int, label="Hand to", error_messages={"required": "Choose the executive who calls instead."}
    )
    reason = LimitedTextField(
        FLAG_NOTE,
        label="Why? The flag's history keeps it.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why another executive calls; the flag's history keeps it."},
    )

    def __init__(self, *args, current=None, **kwargs):
        kwargs.setdefault("auto_id", "handover_%s")  # the page has other forms: ids stay unique
        super().__init__(*args, **kwargs)
        self.fields["executive"].choices = [("", "Choose…")] + [
            (e.pk, e.name)
            for e in Executive.objects.filter(is_active=True).select_related("user").order_by("user__first_name", "id")
            if current is None or e.pk != current
        ]
