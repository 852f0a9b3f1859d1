"""The demo users: three executives in three time zones, two support leads, a program admin,
and two colleagues who own commitments without holding a role."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from ceocalls.roles import EXECUTIVES, PROGRAM_ADMINS, SUPPORT_LEADS

from ..services.executives import executive_upsert

DEMO_PASSWORD = "calls-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str | None
    title: str = ""
    slot: str = ""
    timezone: str = ""


DEMO_USERS = [
    DemoUser("maya.lindqvist@example.com", "Maya Lindqvist", EXECUTIVES, "CEO", "tue 10:00", "Europe/Oslo"),
    DemoUser(
        "daniel.price@example.com", "Daniel Price", EXECUTIVES, "Chief Revenue Officer", "wed 10:00", "America/New_York"
    ),
    DemoUser("priya.raman@example.com", "Priya Raman", EXECUTIVES, "COO", "thu 09:00", "America/Los_Angeles"),
    DemoUser("sam.torres@example.com", "Sam Torres", SUPPORT_LEADS, "Support lead, EMEA"),
    DemoUser("jules.martin@example.com", "Jules Martin", SUPPORT_LEADS, "Support lead, Americas"),
    DemoUser("rita.okafor@example.com", "Rita Okafor", PROGRAM_ADMINS, "Customer program manager"),
    DemoUser("ines.moreau@example.com", "Ines Moreau", None, "VP Engineering"),
    DemoUser("tom.becker@example.com", "Tom Becker", None, "Head of Billing"),
]


def create_demo_users() -> dict[str, object]:
    """Creates the demo users (idempotent) and returns them by e-mail.

    The shared password is hashed once: each hash takes most of a second on purpose.
    """
    if not (settings.DEBUG or settings.TESTING):
        # Shared logins with a published password have no place on a real server.
        raise ValueError(
            f"seed_demo creates logins that share the published password {DEMO_PASSWORD!r}, so it runs only "
            "with DEBUG=true; on a real server add people with add_executive or the admin."
        )
    User = get_user_model()
    hashed = make_password(DEMO_PASSWORD)
    users = {}
    for person in DEMO_USERS:
        if person.role == EXECUTIVES:
            executive, _ = executive_upsert(
                email=person.email, name=person.name, slot=person.slot, timezone=person.timezone, title=person.title
            )
            User.objects.filter(pk=executive.user_id).update(password=hashed)
            users[person.email] = User.objects.get(pk=executive.user_id)
            continue
        first, _, last = person.name.partition(" ")
        user, created = User.objects.get_or_create(
            username=person.email, defaults={"email": person.email, "first_name": first, "last_name": last}
        )
        if created:
            if person.role:
                user.password = hashed
            else:
                user.set_unusable_password()
            user.is_staff = person.role == PROGRAM_ADMINS
            user.save()
        if person.role:
            user.groups.add(Group.objects.get(name=person.role))
        users[person.email] = user
    return users


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of the demo users that exist and can sign in."""
    User = get_user_model()
    present = set(User.objects.filter(username__in=[p.email for p in DEMO_USERS]).values_list("username", flat=True))
    return [(p.role, p.email, DEMO_PASSWORD) for p in DEMO_USERS if p.role and p.email in present]
