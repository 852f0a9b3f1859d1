"""The scoring policy's form: a negative window or weight is refused beside its field, by name."""

from django import forms
from django.core.validators import MinValueValidator

from customers.models import Tier

from ..models import ScoringPolicy

WINDOWS = ["ticket_window_days", "survey_window_days"]
DAYS = ["open_ticket_days", "cooldown_days", "backups", "listening_calls"]
HOURS = ["business_hours_start", "business_hours_end", "calling_hours_start", "calling_hours_end"]
WEIGHTS = [
    "weight_urgent_flag",
    "weight_flag",
    "weight_nps_detractor",
    "weight_csat_low",
    "weight_urgent_ticket",
    "weight_high_ticket",
    "weight_escalated_ticket",
    "weight_reopened_ticket",
    "weight_old_open_ticket",
    "weight_overdue_commitment",
    "weight_carried_over",
    "ticket_points_cap",
    "revenue_weight",
]


SURVEY_LINE = [
    "survey_alarm_kind",
    "survey_alarm_max_score",
    "survey_alarm_comment_required",
    "survey_alarm_tiers",
    "survey_alarm_min_revenue",
]


class ScoringPolicyForm(forms.ModelForm):
    class Meta:
        model = ScoringPolicy
        fields = ["name", "is_active", *WINDOWS, "urgent_window_business_days", *DAYS, *HOURS, *WEIGHTS, *SURVEY_LINE]
        labels = {
            "survey_alarm_kind": "Survey",
            "survey_alarm_max_score": "Score at most",
            "survey_alarm_comment_required": "Only answers with a comment",
            "survey_alarm_tiers": "Only these tiers",
            "survey_alarm_min_revenue": "Only annual revenue of at least",
            "ticket_window_days": "Ticket window (days)",
            "survey_window_days": "Survey window (days)",
            "open_ticket_days": "Open ticket age (days)",
            "cooldown_days": "Cooldown (days)",
            "backups": "Backups per sheet",
            "listening_calls": "Listening calls per sheet",
            "business_hours_start": "Business hours start (hour)",
            "business_hours_end": "Business hours end (hour)",
            "calling_hours_start": "Calling hours start (hour, contact's zone)",
            "calling_hours_end": "Calling hours end (hour, contact's zone)",
            "urgent_window_business_days": "Urgent window (business days)",
            "weight_urgent_flag": "Urgent flag weight",
            "weight_flag": "Flag weight",
            "weight_nps_detractor": "NPS detractor weight",
            "weight_csat_low": "Low CSAT weight",
            "weight_urgent_ticket": "Urgent ticket weight",
            "weight_high_ticket": "High-priority ticket weight",
            "weight_escalated_ticket": "Escalated ticket weight",
            "weight_reopened_ticket": "Reopened ticket weight",
            "weight_old_open_ticket": "Old open ticket weight",
            "weight_overdue_commitment": "Overdue commitment weight",
            "weight_carried_over": "Carried-over weight",
            "ticket_points_cap": "Cap on ticket points",
            "revenue_weight": "Revenue weight",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The generic "greater than or equal to 0" would not say which number is wrong; clean() does.
        for name in WINDOWS + DAYS + WEIGHTS + HOURS + ["urgent_window_business_days", "survey_alarm_min_revenue"]:
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, MinValueValidator)]
            field.widget.attrs.pop("min", None)

    def generic_fields(self):
        """The numbers shown in the page's grid; the survey line has its own fieldset."""
        return [f for f in self if f.name not in SURVEY_LINE]

    def survey_line_fields(self):
        return [self[name] for name in SURVEY_LINE]

    def _label(self, name: str) -> str:
        return str(self.fields[name].label or name.replace("_", " "))

    def clean(self):
        data = super().clean()
        for name in [*WINDOWS, "urgent_window_business_days"]:
            value = data.get(name)
            if value is not None and value < 1:
                self.add_error(name, f"{self._label(name)} must be at least 1, not {value}.")
        for name in DAYS + WEIGHTS:
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, f"{self._label(name)} cannot be negative ({value:g}).")
        for kind in ("business", "calling"):
            self._clean_hours(data, kind)
        self._clean_survey_line(data)
        return data

    def _clean_survey_line(self, data) -> None:
        kind, score = data.get("survey_alarm_kind"), data.get("survey_alarm_max_score")
        top = {"nps": 10, "csat": 5}.get(kind)
        if top is not None and score is not None and score > top:
            self.add_error("survey_alarm_max_score", f"A {kind.upper()} score is at most {top}, not {score}.")
        revenue = data.get("survey_alarm_min_revenue")
        if revenue is not None and revenue < 0:
            self.add_error("survey_alarm_min_revenue", f"The revenue cannot be negative ({revenue:g}).")

    def _clean_hours(self, data, kind: str) -> None:
        start_name, end_name = f"{kind}_hours_start", f"{kind}_hours_end"
        start, end = data.get(start_name), data.get(end_name)
        what = kind.capitalize()
        if start is not None and not 0 <= start <= 23:
            self.add_error(start_name, f"{what} hours start must be an hour from 0 to 23, not {start}.")
        elif end is not None and not (start or 0) < end <= 24:
            self.add_error(end_name, f"{what} hours end must be after the start ({start}) and at most 24, not {end}.")


class TierForm(forms.ModelForm):
    """One of the company's tiers on the policy page: its label and the builder's multiplier.
    A blank extra row adds a tier; its slug is made from the name when it is saved."""

    class Meta:
        model = Tier
        fields = ["name", "multiplier"]
        labels = {"name": "Tier", "multiplier": "Multiplier"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["multiplier"].widget.attrs.pop("min", None)

    def clean_multiplier(self):
        value = self.cleaned_data["multiplier"]
        if value is not None and value < 0:
            name = self.cleaned_data.get("name") or self.instance.name or "A tier"
            raise forms.ValidationError(f"{name}'s multiplier cannot be negative ({value:g}).")
        return value


TierFormSet = forms.modelformset_factory(Tier, form=TierForm, extra=1, can_delete=False)
