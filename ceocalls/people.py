"""A person's name as every page, e-mail and CSV shows it."""


def display_name(user) -> str:
    """'Sam Torres', else the e-mail, else the username; '' for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.email or user.get_username()
