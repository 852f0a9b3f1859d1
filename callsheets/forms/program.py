"""Input on /program/: the period chooser, a sheet build, an executive's weekly slot."""

from datetime import date, timedelta
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from ceocalls.timezones import known_timezones

from ..models import FIRST_YEAR, LAST_YEAR, WEEKDAYS, Executive, week_start_of, year_in_range
from .commitments import ExecutiveChoiceField, style

MAX_WEEKS = 104  # two years of weekly numbers: the most /program/ and its CSV read at once


def _within_years(name: str, day: date | None) -> date | None:
    """A date the program can count weeks around; 0001-01-01 or 9999-12-31 is refused by name."""
    if day is not None and not year_in_range(day):
        raise ValidationError(f"{name}: give a date between {FIRST_YEAR} and {LAST_YEAR}; {day.isoformat()} is not.")
    return day


PRESETS = [(4, "4 weeks"), (8, "8 weeks"), (13, "A quarter"), (26, "Half a year"), (52, "A year")]


class PeriodForm(forms.Form):
    """`start`, `end` (any day of the first and last week) or `weeks` (ending this week), and `executive`.

    With nothing given: the last 8 weeks, this one included.
    """

    start = forms.DateField(
        required=False, label="From the week of", error_messages={"invalid": "start: give a date as YYYY-MM-DD."}
    )
    end = forms.DateField(
        required=False, label="To the week of", error_messages={"invalid": "end: give a date as YYYY-MM-DD."}
    )
    weeks = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_WEEKS,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "weeks: give a whole number of weeks.",
            "min_value": "weeks: give at least 1.",
            "max_value": f"weeks: give at most {MAX_WEEKS}.",
        },
    )
    executive = ExecutiveChoiceField(
        queryset=Executive.objects.select_related("user"),
        required=False,
        empty_label="All executives",
        error_messages={"invalid_choice": "executive: %(value)s is not the id of an executive."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        style(self, small=True)

    def clean_start(self):
        return _within_years("start", self.cleaned_data.get("start"))

    def clean_end(self):
        return _within_years("end", self.cleaned_data.get("end"))

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        this_week = week_start_of(timezone.localdate())
        end = week_start_of(data.get("end") or this_week)
        weeks = data.get("weeks") or 8
        start = week_start_of(data.get("start") or end - timedelta(weeks=weeks - 1))
        if start > end:
            raise ValidationError(f"start ({start:%d %b %Y}) is after end ({end:%d %b %Y}).")
        if (end - start).days // 7 + 1 > MAX_WEEKS:
            raise ValidationError(f"Choose at most {MAX_WEEKS} weeks; from {start:%d %b %Y} to {end:%d %b %Y} is more.")
        data["start"], data["end"] = start, end
        return data


class TopicPeriodForm(PeriodForm):
    """/program/topics/: the same period as /program/ (and the same limits), for every executive."""

    executive = None


class BuildForm(forms.Form):
    week = forms.DateField(
        label="Week of", error_messages={"invalid": "week: give a date as YYYY-MM-DD.", "required": "Choose a week."}
    )
    executive = ExecutiveChoiceField(
        queryset=Executive.objects.active().select_related("user"),
        required=False,
        empty_label="Every active executive",
        error_messages={"invalid_choice": "executive: %(value)s is not an active executive."},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].widget = forms.DateInput(attrs={"type": "date"})
        style(self, small=True)

    def clean_week(self) -> date:
        week = week_start_of(_within_years("week", self.cleaned_data["week"]))
        if week < week_start_of(timezone.localdate()) - timedelta(weeks=1):
            raise ValidationError(
                f"The week of {week:%d %b %Y} is over; only this week, last week or later can be built."
            )
        return week


@lru_cache(maxsize=1)
def timezone_names() -> list[str]:
    return sorted(known_timezones() - {"localtime", "Factory"})


class SlotForm(forms.Form):
    """One executive's weekly slot; the rules live in services.executives.executive_update_slot."""

    weekday = forms.TypedChoiceField(
        choices=[("", "No slot"), *WEEKDAYS], coerce=int, empty_value=None, required=False, label="Day"
    )
    start_time = forms.TimeField(
        required=False, label="Starts", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(min_value=1, max_value=480, label="Minutes")
    minutes_per_call = forms.IntegerField(min_value=1, max_value=480, label="Per call")
    timezone = forms.CharField(max_length=64, label="Time zone", widget=forms.TextInput(attrs={"list": "timezones"}))
    is_active = forms.BooleanField(required=False, label="Active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self, small=True)
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"
