from django.db import transaction
from django.utils import timezone

from notifications.tasks import send_flag_outcome

from ..models import Flag


@transaction.atomic
def flag_mark_called(*, flag: Flag, call) -> Flag:
    """Records that the executive's call answered the flag; the lead sees the outcome on the flag.

    Called by the call-logging service in the same transaction as the call; logging the same call
    again (a correction) leaves the flag as it is.
    """
    flag = Flag.objects.select_for_update().get(pk=flag.pk)
    if flag.call_id == call.pk and flag.status == Flag.Status.CALLED:
        return flag
    flag.status, flag.call, flag.called_at = Flag.Status.CALLED, call, call.called_at or timezone.now()
    flag.save(update_fields=["status", "call", "called_at", "updated_at"])
    # After commit, so the commitments logged in the same transaction are in the lead's e-mail.
    # robust: a broker outage must not fail the logged call; the hourly sweep sends it later.
    transaction.on_commit(lambda: send_flag_outcome.delay(flag.pk), robust=True)
    return flag
