"""A test e-mail backend that behaves like an SMTP server refusing some recipients."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class RefusingBackend(EmailBackend):
    """Like locmem, but any address at invalid.example is refused, as a real server would."""

    def send_messages(self, messages):
        for message in messages:
            refused = {to: (550, b"5.1.1 No such user") for to in message.to if to.endswith("@invalid.example")}
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
