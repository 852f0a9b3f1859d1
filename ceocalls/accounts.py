"""Password change and reset: Django's own views, with e-mailed links built from SITE_URL."""

import unicodedata

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, but an active user without a password yet (an executive added by `add_executive`
    without --password) may set a first one through the e-mailed link too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-mail"

    def get_users(self, email):
        field = get_user_model().get_email_field_name()
        users = get_user_model()._default_manager.filter(**{f"{field}__iexact": email, "is_active": True})
        wanted = _folded(email)  # as Django does: the database's iexact is not Unicode case folding
        return (user for user in users if _folded(getattr(user, field)) == wanted)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    subject_template_name = "emails/password_reset.subject.txt"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"

    def form_valid(self, form):
        # Links point at SITE_URL (the public address), never at whatever Host the request came with.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # The old password is gone, so guesses at it no longer matter: lift the account's lockout.
        axes_reset(username=form.user.get_username().lower())
        return response
