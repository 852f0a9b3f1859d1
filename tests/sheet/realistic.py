"""A call sheet that looks like a real Tuesday: angry detractors, an urgent flag, a backup, history.

Used by the browser test (its screenshots are for a reviewer's eyes) and handy in a shell:
`DEBUG=true .venv/bin/python manage.py shell -c "from tests.sheet.realistic import realistic_sheet; realistic_sheet()"`.
"""

from datetime import time, timedelta

from django.utils import timezone

from callsheets.models import CallLog, SheetEntry
from customers.models import Customer, Flag
from tests.factories import (
    CallLogFactory,
    CallSheetFactory,
    CommitmentFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    FlagFactory,
    SheetEntryFactory,
    TicketFactory,
    UserFactory,
)

CUSTOMERS = [
    # name, tier, revenue, zone, contact, title, phone, reasons
    (
        "Northwind Logistics",
        Customer.Tier.STRATEGIC,
        2_400_000,
        "America/Chicago",
        "Dana Whitfield",
        "COO",
        "+1 312 555 0142",
        [
            {
                "code": "urgent_flag",
                "text": "Urgent flag from Priya Shah: threatening to leave at renewal",
                "points": 1000,
            },
            {
                "code": "nps_detractor",
                "text": 'NPS 1 on 12 Nov: "Third outage this month. We are evaluating alternatives."',
                "points": 48,
            },
            {
                "code": "urgent_ticket",
                "text": '2 urgent tickets, #4812 "Route export fails for fleets over 500 trucks" reopened twice',
                "points": 36,
            },
        ],
    ),
    (
        "Fjordline Retail",
        Customer.Tier.ENTERPRISE,
        880_000,
        "Europe/Oslo",
        "Ingrid Solberg",
        "Head of E-commerce",
        "+47 22 55 01 77",
        [
            {
                "code": "overdue_commitment",
                "text": 'Overdue promise from your last call: "Fix the invoice rounding" (due 2 Nov)',
                "points": 50,
            },
            {
                "code": "csat_low",
                "text": 'CSAT 1 on 9 Nov: "Nobody answers our tickets in Norwegian hours."',
                "points": 50,
            },
        ],
    ),
    (
        "Kestrel Health",
        Customer.Tier.MID_MARKET,
        310_000,
        "America/Los_Angeles",
        "Marcus Obi",
        "IT Director",
        "+1 415 555 0190",
        [
            {
                "code": "escalated_ticket",
                "text": '1 escalated ticket, #4907 "SSO login loops after the October release"',
                "points": 10,
            },
            {
                "code": "old_open_ticket",
                "text": '1 ticket open for 23 days, #4790 "Audit log export missing fields"',
                "points": 4,
            },
        ],
    ),
    ("Brightwater Foods", Customer.Tier.SMB, 48_000, "Europe/London", "Sam Patel", "Owner", "+44 20 7946 0321", []),
    (
        "Atlas Freight",
        Customer.Tier.ENTERPRISE,
        1_150_000,
        "Asia/Singapore",
        "Mei Lin Tan",
        "VP Operations",
        "+65 6555 0188",
        [
            {
                "code": "nps_detractor",
                "text": 'NPS 5 on 3 Nov: "Fine, but support feels slower than last year."',
                "points": 16,
            }
        ],
    ),
    (
        "Cobalt Studios",
        Customer.Tier.MID_MARKET,
        95_000,
        "America/New_York",
        "Ruth Alvarez",
        "Producer",
        "+1 212 555 0111",
        [{"code": "carried_over", "text": "Carried over: on last week's sheet but not reached", "points": 30}],
    ),
]


def realistic_sheet(executive=None, week=None):
    """Builds a Tuesday 15:00 Oslo sheet with six entries, the last two backups."""
    executive = executive or ExecutiveFactory(
        user=UserFactory(first_name="Astrid", last_name="Berg", email="astrid@example.com", roles=["Executives"]),
        timezone="Europe/Oslo",
        weekday=1,
        start_time=time(15, 0),
    )
    week = week or executive.current_week_start()
    sheet = CallSheetFactory(executive=executive, week_start=week)
    lead = UserFactory(first_name="Priya", last_name="Shah", email="priya@example.com", roles=["Support leads"])
    colleague = UserFactory(first_name="Tom", last_name="Reed", email="tom@example.com", roles=["Executives"])
    today = timezone.localdate()
    for position, (name, tier, revenue, zone, person, title, phone, reasons) in enumerate(CUSTOMERS, start=1):
        customer = CustomerFactory(name=name, tier=tier, annual_revenue=revenue, timezone=zone)
        contact = ContactFactory(customer=customer, name=person, title=title, phone=phone)
        flag = None
        if position == 1:
            ticket = TicketFactory(customer=customer, external_id="4812", subject=reasons[2]["text"].split('"')[1])
            flag = FlagFactory(
                customer=customer,
                raised_by=lead,
                urgency=Flag.Urgency.URGENT,
                ticket=ticket,
                status=Flag.Status.SCHEDULED,
                sheet=sheet,
                reason="Dana told our engineer they are talking to a competitor; renewal is in January.",
            )
        SheetEntryFactory(
            sheet=sheet,
            customer=customer,
            contact=contact,
            position=position,
            reasons=reasons,
            is_backup=position > executive.capacity,
            is_listening=not reasons,
            flag=flag,
            status=SheetEntry.Status.PENDING,
        )
        if position == 2:
            old = CallLogFactory(
                executive=executive,
                customer=customer,
                contact=contact,
                called_at=timezone.now() - timedelta(days=45),
                outcome=CallLog.Outcome.REACHED,
                notes="Ingrid was fair but firm: invoices round the wrong way in NOK.\nAlso asked about SLAs.",
                sentiment=CallLog.Sentiment.UNHAPPY,
            )
            CommitmentFactory(
                call=old,
                promise="Fix the invoice rounding for NOK",
                owner=colleague,
                due_date=today - timedelta(days=9),
            )
            CommitmentFactory(call=old, promise="Send the support SLA in writing", due_date=today + timedelta(days=5))
        if position == 3:
            CallLogFactory(
                executive=ExecutiveFactory(user=colleague),
                customer=customer,
                called_at=timezone.now() - timedelta(days=120),
                outcome=CallLog.Outcome.VOICEMAIL,
                notes="Left a message about the SSO roadmap.",
                sentiment="",
            )
    return sheet
