from django import forms

from ceocalls import roles

from .models import NotificationPreference


class PreferencesForm(forms.ModelForm):
    """Only the e-mails the user's roles can get; anyone may own a commitment."""

    class Meta:
        model = NotificationPreference
        fields = ["weekly_briefing", "overdue_digest", "program_weekly", "flag_outcome"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not roles.is_executive(user):
            del self.fields["weekly_briefing"]
        if not roles.is_program_admin(user):
            del self.fields["program_weekly"]
        if not roles.is_support_lead(user) and not roles.is_program_admin(user):
            del self.fields["flag_outcome"]
