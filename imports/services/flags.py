from customers.models import SupportTicket
from customers.services.flags import flag_raise_from_ticket


def flag_raise_for_ticket(*, ticket: SupportTicket, tag: str) -> bool:
    """Flags the customer of a ticket tagged `tag`, through the same service as a lead's flag.

    True when the ticket raised a flag or added a note to the customer's active flag; False when
    it had done so before (importing the same ticket again adds nothing). Runs inside the
    caller's transaction.
    """
    return flag_raise_from_ticket(ticket_id=ticket.pk, tag=tag) is not None
