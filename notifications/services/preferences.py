from ..models import NotificationPreference


def preference_for(*, user) -> NotificationPreference:
    """The user's preferences; an unsaved all-on row when they never changed them."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def preference_update(*, user, **choices: bool) -> NotificationPreference:
    """Saves which e-mails the user wants; e-mails not named keep their current setting."""
    fields = {f.name for f in NotificationPreference._meta.fields if f.get_internal_type() == "BooleanField"}
    unknown = set(choices) - fields
    if unknown:
        raise ValueError(f"Unknown e-mail preferences: {', '.join(sorted(unknown))}.")
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults=choices)
    return preference
