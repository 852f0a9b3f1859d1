"""The three roles of CONTRACT §2, as Django groups. A user may hold several; superusers hold all."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

EXECUTIVES = "Executives"
SUPPORT_LEADS = "Support leads"
PROGRAM_ADMINS = "Program admins"
ALL_ROLES = (EXECUTIVES, SUPPORT_LEADS, PROGRAM_ADMINS)


def role_names(user) -> set[str]:
    """The user's roles, read once per request and cached on the user object."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = (
            set(ALL_ROLES)
            if user.is_superuser
            else set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        )
    return user._role_names


def is_executive(user) -> bool:
    return EXECUTIVES in role_names(user)


def is_support_lead(user) -> bool:
    return SUPPORT_LEADS in role_names(user)


def is_program_admin(user) -> bool:
    return PROGRAM_ADMINS in role_names(user)


def role_required(*roles: str):
    """View decorator: signed in and holding at least one of `roles`, else 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not role_names(request.user) & set(roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
