"""How long each piece of free text may be: one name and one number per field.

The services enforce these (the rule, whatever the door: page, admin, command, task); the forms
carry the same number as `maxlength` with a live character counter (static/js/char-counter.js)
and give the same sentence. A line break counts as one character, as the browser counts it.
"""

from dataclasses import dataclass

from django import forms


def normalize_text(value: str | None) -> str:
    """Strips the text and turns the browser's CRLF line breaks into one character each."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class TextLimit:
    name: str  # names the field in the message: "Call notes"
    limit: int

    def error(self, value: str | None) -> str | None:
        """The sentence shown beside the field when the text is too long, else None."""
        length = len(normalize_text(value))
        if length <= self.limit:
            return None
        return f"{self.name} can be at most {self.limit:,} characters; this is {length:,}."


CALL_NOTES = TextLimit("Call notes", 5000)  # an executive's notes on a call
PROMISE = TextLimit("A promise", 500)  # one commitment, in the customer's words
FLAG_REASON = TextLimit("The reason for the flag", 2000)
FLAG_NOTE = TextLimit("A note on a flag", 2000)  # what a lead (or a tagged ticket) adds to a flag
DISMISSAL_REASON = TextLimit("The reason for dismissing", 1000)  # why an admin dismissed a flag
RESOLUTION = TextLimit("The resolution", 1000)  # what was done to keep a promise, or why it was dropped
FOLLOW_UP_SUBJECT = TextLimit("The subject", 200)  # of the follow-up e-mail to the customer after a call
FOLLOW_UP_BODY = TextLimit("The follow-up e-mail", 5000)

ALL = (CALL_NOTES, PROMISE, FLAG_REASON, FLAG_NOTE, DISMISSAL_REASON, RESOLUTION, FOLLOW_UP_SUBJECT, FOLLOW_UP_BODY)


class LimitedTextField(forms.CharField):
    """Free text under a TextLimit: `maxlength`, a counter (`data-counter`) and the services' message."""

    def __init__(self, text_limit: TextLimit, **kwargs):
        self.text_limit = text_limit
        super().__init__(**kwargs)
        self.widget.attrs.update({"maxlength": str(text_limit.limit), "data-counter": ""})

    def to_python(self, value):
        return normalize_text(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        message = self.text_limit.error(value)
        if message:
            raise forms.ValidationError(message, code="max_length")
