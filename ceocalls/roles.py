"""The three roles of CONTRACT §2, as Django groups. A user may hold several; superusers hold all."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

EXECUTIVES = "Executives"
SUPPORT_LEADS = "Support leads"
PROGRAM_ADMINS = "Program admins"
ALL_ROLES = (EXECUTIVES, SUPPORT_LEADS, PROGRAM_ADMINS)

VIEW_CUSTOMERS = [
    "customers.view_customer",
    "customers.view_contact",
    "customers.view_supportticket",
    "customers.view_surveyresponse",
    "customers.view_flag",
]

ROLE_PERMISSIONS = {
    EXECUTIVES: VIEW_CUSTOMERS
    + [
        "callsheets.view_callsheet",
        "callsheets.view_sheetentry",
        "callsheets.view_calllog",
        "callsheets.add_calllog",
        "callsheets.change_calllog",
        "callsheets.view_commitment",
        "callsheets.add_commitment",
        "callsheets.change_commitment",
    ],
    SUPPORT_LEADS: VIEW_CUSTOMERS
    + ["customers.add_flag", "customers.change_flag", "customers.view_flagnote", "customers.add_flagnote"],
    PROGRAM_ADMINS: VIEW_CUSTOMERS
    + [
        "customers.add_customer",
        "customers.change_customer",
        # The company's tiers and their multipliers (also on /program/policy/); deleting one is the admin's.
        "customers.view_tier",
        "customers.add_tier",
        "customers.change_tier",
        "customers.delete_tier",
        "customers.add_contact",
        "customers.change_contact",
        "customers.add_supportticket",
        "customers.change_supportticket",
        "customers.add_surveyresponse",
        "customers.change_surveyresponse",
        "customers.add_flag",
        "customers.change_flag",
        "customers.view_flagnote",
        "customers.add_flagnote",
        # Choosing the user of a new executive in the admin (its autocomplete reads users): read-only.
        "auth.view_user",
        "callsheets.view_executive",
        "callsheets.add_executive",
        "callsheets.change_executive",
        "callsheets.view_callsheet",
        "callsheets.change_callsheet",
        "callsheets.view_all_sheets",
        "callsheets.build_sheets",
        "callsheets.view_buildrun",  # Call sheets → Build runs, read-only (found by the permission matrix)
        "callsheets.view_urgentcall",  # urgent calls outside the slot, read-only; acknowledged on the sheet
        "callsheets.view_sheetentry",
        "callsheets.change_sheetentry",
        "callsheets.view_calllog",
        "callsheets.change_calllog",
        "callsheets.view_commitment",
        "callsheets.change_commitment",
        "callsheets.view_all_commitments",
        "callsheets.view_commitmentchange",
        "callsheets.view_callfollowup",  # what was sent to customers after calls, read-only
        "callsheets.view_topic",  # /program/topics/ reads these; admins keep them
        "callsheets.add_topic",
        "callsheets.change_topic",
        "callsheets.delete_topic",
        "callsheets.view_scoringpolicy",
        "callsheets.change_scoringpolicy",
        "imports.view_importrun",
        "imports.add_importrun",
        "imports.view_webhookevent",
        "imports.change_webhookevent",
        "notifications.view_emaildelivery",
        "notifications.view_notificationpreference",
        # Unlock a sign-in: admin → Axes → Access attempts, delete the attempt (README, "Signing in").
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ],
}


def sync_role_groups(group_model=None, permission_model=None) -> None:
    """Creates the role groups and grants each its permissions (adds, never removes).

    Run by the roles migration and again after every `migrate` (post_migrate), so a permission
    added to ROLE_PERMISSIONS later reaches existing databases, and a flushed test database
    gets its groups back.
    """
    if group_model is None:
        from django.contrib.auth.models import Group as group_model
        from django.contrib.auth.models import Permission as permission_model
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = {tuple(code.split(".")) for code in codes}
        perms = [
            p
            for p in permission_model.objects.filter(codename__in={c for _, c in wanted}).select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        ]
        group.permissions.add(*perms)


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
