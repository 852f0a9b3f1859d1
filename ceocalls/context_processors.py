from . import roles as role_checks


def roles(request):
    user = request.user
    return {
        "is_executive": role_checks.is_executive(user),
        "is_support_lead": role_checks.is_support_lead(user),
        "is_program_admin": role_checks.is_program_admin(user),
    }
