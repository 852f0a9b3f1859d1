"""One executive's week, built by hand, whose program numbers are known in advance."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from callsheets.models import CallLog, Commitment, week_start_of
from tests.factories import (
    CallLogFactory,
    CallSheetFactory,
    CommitmentFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    SheetEntryFactory,
    SurveyResponseFactory,
)


def at(day, hour, zone):
    return datetime.combine(day, time(hour), tzinfo=zone)


def last_week_scenario():
    """Last week: 3 main entries (1 reached, 1 voicemail, 1 not called) and a backup never called."""
    week = week_start_of(timezone.localdate()) - timedelta(weeks=1)
    executive = ExecutiveFactory(user__first_name="Erin", user__last_name="Exec")
    zone = executive.zoneinfo
    sheet = CallSheetFactory(executive=executive, week_start=week)
    c1, c2, c3, c4 = (CustomerFactory() for _ in range(4))
    e1 = SheetEntryFactory(sheet=sheet, customer=c1, position=1)
    e2 = SheetEntryFactory(sheet=sheet, customer=c2, position=2)
    SheetEntryFactory(sheet=sheet, customer=c3, position=3)
    SheetEntryFactory(sheet=sheet, customer=c4, position=4, is_backup=True)
    call_time = at(week + timedelta(days=1), 10, zone)
    call = CallLogFactory(executive=executive, customer=c1, entry=e1, called_at=call_time)
    CallLogFactory(executive=executive, customer=c2, entry=e2, called_at=call_time, outcome=CallLog.Outcome.VOICEMAIL)

    raised = at(week, 9, zone)
    flag = FlagFactory(customer=c1, created_at=raised, sheet=sheet)
    flag.call, flag.called_at, flag.status = call, call_time, "called"
    flag.save()
    FlagFactory(customer=c3, created_at=raised)

    def promise(due, status="open", completed=None):
        c = CommitmentFactory(call=call, due_date=due, created_at=call_time)
        if status != "open":
            Commitment.objects.filter(pk=c.pk).update(status=status, completed_at=completed, resolution="x")
        return c

    promise(week + timedelta(days=5), "done", at(week + timedelta(days=3), 12, zone))  # kept on time
    promise(week + timedelta(days=2), "done", at(week + timedelta(days=4), 12, zone))  # kept late
    promise(week + timedelta(days=3))  # overdue
    promise(week + timedelta(days=3), "dropped", at(week + timedelta(days=3), 12, zone))
    promise(timezone.localdate() + timedelta(days=10))  # open, not yet due

    SurveyResponseFactory(customer=c1, score=3, responded_at=call_time - timedelta(days=20))
    SurveyResponseFactory(customer=c1, score=8, responded_at=call_time + timedelta(days=3))
    SurveyResponseFactory(customer=c4, score=4, responded_at=call_time - timedelta(days=20))
    SurveyResponseFactory(customer=c4, score=5, responded_at=call_time + timedelta(days=3))
    SurveyResponseFactory(customer=c2, score=6, responded_at=call_time + timedelta(days=3))  # no score before: left out
    return week, executive
