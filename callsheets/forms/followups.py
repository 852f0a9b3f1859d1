"""The follow-up e-mail's form: a subject and a body, both editable; the rules live in services.followups."""

from django import forms

from ceocalls.limits import FOLLOW_UP_BODY, FOLLOW_UP_SUBJECT, LimitedTextField

from .commitments import style


class FollowUpForm(forms.Form):
    subject = LimitedTextField(
        FOLLOW_UP_SUBJECT, label="Subject", error_messages={"required": "Give the e-mail a subject."}
    )
    body = LimitedTextField(
        FOLLOW_UP_BODY,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 16}),
        error_messages={"required": "Write the e-mail before sending it."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
