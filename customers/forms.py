"""The shape of input on the customers and flags pages; the rules live in customers.services.flags."""

from django import forms

from ceocalls.limits import DISMISSAL_REASON, FLAG_NOTE, FLAG_REASON, LimitedTextField

from .models import Customer, Flag, Tier


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, domain, contact e-mail or external id", "autofocus": True}
        ),
    )
    tier = forms.ChoiceField(required=False)
    alarm = forms.BooleanField(required=False, label="Has an alarm")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", "Any tier"), *Tier.objects.values_list("slug", "name")]


class FlagForm(forms.Form):
    """A lead's flag. Ticket and contact list only the chosen customer's; the service re-checks both."""

    customer = forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": "Choose the customer to flag."}, min_value=1
    )
    reason = LimitedTextField(
        FLAG_REASON,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": "What happened, in a sentence or two: what the CEO should know before calling.",
            }
        ),
        error_messages={"required": "Say in a sentence or two why the CEO should call."},
    )
    urgency = forms.ChoiceField(
        choices=[
            (Flag.Urgency.NORMAL, "Normal: on the next weekly sheet"),
            (Flag.Urgency.URGENT, "Urgent: first on the soonest sheet, called by the end of the next business day"),
        ],
        initial=Flag.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    ticket = forms.IntegerField(required=False, label="Ticket that prompted it", widget=forms.Select)
    contact = forms.IntegerField(required=False, label="Who should the CEO call?", widget=forms.Select)

    def __init__(self, *args, customer: Customer | None = None, tickets=(), contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if customer is not None:
            self.fields["reason"].widget.attrs["autofocus"] = True
        self.fields["ticket"].widget.choices = [("", "— none —")] + [
            (t.pk, f"#{t.external_id} {t.subject[:70]} ({t.get_status_display().lower()}, {t.created_at:%-d %b})")
            for t in tickets
        ]
        self.fields["contact"].widget.choices = [("", "— whoever the builder picks —")] + [
            (c.pk, f"{c}{' — do not call' if c.do_not_call else ''}{'' if c.phone else ' — no phone'}")
            for c in contacts
        ]


class FlagNoteForm(forms.Form):
    text = LimitedTextField(
        FLAG_NOTE,
        label="Add to this flag",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What you heard, and from whom."}),
        error_messages={"required": "Write what you want to add."},
    )
    make_urgent = forms.BooleanField(required=False, label="Make it urgent")


class FlagDismissForm(forms.Form):
    reason = LimitedTextField(
        DISMISSAL_REASON,
        label="Why dismiss it? The lead who raised it reads this.",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Tell the lead why the flag is dismissed."},
    )


class FlagFilterForm(forms.Form):
    state = forms.ChoiceField(required=False, choices=[("", "Every state"), *Flag.Status.choices])
