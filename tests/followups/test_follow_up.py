"""/calls/<id>/follow-up/: the draft, who may open it, and sending it exactly once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callsheets.models import CallFollowUp, CallLog
from callsheets.services.calls import PromiseInput, call_log
from callsheets.services.followups import follow_up_send
from tests.factories import (
    AdminFactory,
    CallSheetFactory,
    ContactFactory,
    CustomerFactory,
    ExecutiveFactory,
    LeadFactory,
    SheetEntryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday
NOTES = "Angry about the third outage this month and the double charge on the invoice. CFO leaving in March."


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_call(*, contact_email="dana@aurora.example", notes=NOTES, private=False, outcome="reached"):
    executive = ExecutiveFactory(user__first_name="Anna", user__last_name="Berg", user__email="anna@example.com")
    customer = CustomerFactory(name="Aurora Freight")
    contact = ContactFactory(customer=customer, name="Dana Whitfield", email=contact_email)
    sheet = CallSheetFactory(executive=executive)
    entry = SheetEntryFactory(sheet=sheet, customer=customer, contact=contact, position=1)
    lead = LeadFactory(first_name="Sam", last_name="Torres")
    call = call_log(
        entry_id=entry.pk,
        by=executive.user,
        outcome=outcome,
        notes=notes,
        notes_private=private,
        called_at=NOW - timedelta(hours=1),
        promises=[
            PromiseInput("Send the written postmortem of the outage", executive.user, NOW.date() + timedelta(days=7)),
            PromiseInput("Refund the double charge", lead, NOW.date() + timedelta(days=14)),
        ],
    )
    return call


def url(call) -> str:
    return f"/calls/{call.pk}/follow-up/"


def test_the_draft_thanks_lists_the_promises_without_owners_and_never_quotes_the_notes(client):
    call = make_call()
    client.force_login(call.executive.user)

    response = client.get(url(call))

    assert response.status_code == 200
    form = response.context["form"]
    body = form.initial["body"]
    assert form.initial["subject"] == "Thank you for our call, Aurora Freight"
    assert body.startswith("Dear Dana,\n\nThank you for taking the time to talk with me on Wednesday 25 November.")
    assert "- Send the written postmortem of the outage, by 2 December 2026" in body
    assert "- Refund the double charge, by 9 December 2026" in body
    assert "What we heard, in short: outages & reliability and billing. Thank you for being frank" in body
    assert "We will tell you as each of these is done. If anything else comes up, simply reply" in body
    assert "Sam" not in body and "Torres" not in body  # owner-neutral: one voice to the customer
    assert "CFO" not in body and "third outage" not in body  # the notes are summarised, never quoted
    assert body.rstrip().endswith("Best regards,\nAnna Berg\nCEO")
    html = response.content.decode()
    assert 'data-testid="follow-up-to">dana@aurora.example<' in html
    assert 'maxlength="5000"' in html and 'maxlength="200"' in html


def test_posting_sends_once_and_a_second_post_says_when_and_by_whom(client):
    call = make_call()
    client.force_login(call.executive.user)
    data = {"subject": "Thank you, Dana", "body": "Dear Dana,\r\n\r\nThank you.\r\n\r\nAnna"}

    first = client.post(url(call), data)

    assert first.status_code == 302 and first.url == url(call)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@aurora.example"] and message.subject == "Thank you, Dana"
    assert message.body == "Dear Dana,\n\nThank you.\n\nAnna"
    assert message.reply_to == ["anna@example.com"] and message.from_email.startswith("Anna Berg <")
    follow_up = CallFollowUp.objects.get(call=call)
    assert (follow_up.status, follow_up.sent_by, follow_up.sent_at) == ("sent", call.executive.user, NOW)

    second = client.post(url(call), {"subject": "Again", "body": "Again"}, follow=True)

    assert len(mail.outbox) == 1
    html = second.content.decode()
    assert (
        "This follow-up was already sent Wed 25 Nov 2026 at 16:00 (Europe/Oslo) by Anna Berg; it was not sent again."
        in html
    )
    assert "Thank you, Dana" in html and "Again" not in html.split("follow-up-sent")[1]
    assert "<textarea" not in html  # read-only once sent
    assert CallFollowUp.objects.get(call=call).subject == "Thank you, Dana"


def test_an_admin_sends_it_and_the_sheet_card_and_timeline_say_so(client):
    call = make_call()
    admin = AdminFactory(first_name="Rita", last_name="Okafor")
    client.force_login(admin)
    assert client.post(url(call), {"subject": "Thanks", "body": "Thanks for the call."}).status_code == 302

    client.force_login(call.executive.user)
    page = client.get(url(call)).content.decode()
    assert "Sent Wed 25 Nov 2026 at 16:00 (Europe/Oslo) by Rita Okafor" in page
    sheet = client.get("/sheet/").content.decode()
    assert "Follow-up sent 25 Nov" in sheet and "Write follow-up" not in sheet
    timeline = client.get(f"/customers/{call.customer_id}/").content.decode()
    assert "Follow-up sent 25 Nov 2026" in timeline


def test_the_sheet_card_and_customer_page_link_to_the_follow_up(client):
    call = make_call()
    client.force_login(call.executive.user)
    link = f'href="/calls/{call.pk}/follow-up/"'
    sheet = client.get("/sheet/").content.decode()
    assert link in sheet and "Write follow-up" in sheet
    assert link in client.get(f"/customers/{call.customer_id}/").content.decode()
    # another executive and a lead see the call on the timeline, not the way to write its follow-up
    for user in (ExecutiveFactory().user, LeadFactory()):
        client.force_login(user)
        assert link not in client.get(f"/customers/{call.customer_id}/").content.decode()


def test_who_may_open_it(client):
    call = make_call()
    expected = [
        (call.executive.user, 200),
        (AdminFactory(), 200),
        (ExecutiveFactory().user, 404),  # another executive's call: as if it did not exist
        (LeadFactory(), 403),
        (UserFactory(), 403),
    ]
    for user, status in expected:
        client.force_login(user)
        assert client.get(url(call)).status_code == status, user
        assert client.post(url(call), {"subject": "x", "body": "y"}).status_code in {status, 302}, user
    assert len(mail.outbox) == 1  # the executive's POST sent it; the admin's was told it had gone
    client.force_login(call.executive.user)
    assert client.get("/calls/999999/follow-up/").status_code == 404
    assert client.get("/calls/abc/follow-up/").status_code == 404
    client.logout()
    assert client.get(url(call)).url.startswith("/accounts/login/")


def test_no_e_mail_address_is_a_clear_message_not_an_error(client):
    call = make_call(contact_email="")
    client.force_login(call.executive.user)

    page = client.get(url(call))
    assert page.status_code == 200
    assert "Aurora Freight has no contact with an e-mail address" in page.content.decode()

    response = client.post(url(call), {"subject": "Thanks", "body": "Thanks"})
    assert response.status_code == 400
    assert "Aurora Freight has no contact with an e-mail address" in response.content.decode()
    assert not mail.outbox and not CallFollowUp.objects.exists()


def test_the_primary_contact_when_the_calls_contact_has_no_address(client):
    call = make_call(contact_email="")
    ContactFactory(customer=call.customer, name="Lee Park", email="lee@aurora.example", is_primary=False)
    call.contact.is_primary = False
    call.contact.save()
    ContactFactory(customer=call.customer, name="Pat Moss", email="pat@aurora.example", is_primary=True)
    client.force_login(call.executive.user)
    assert client.get(url(call)).context["draft"].to == "pat@aurora.example"
    client.post(url(call), {"subject": "Thanks", "body": "Thanks"})
    assert mail.outbox[0].to == ["pat@aurora.example"]


def test_bad_input_is_said_beside_the_field(client):
    call = make_call()
    client.force_login(call.executive.user)
    response = client.post(url(call), {"subject": "", "body": "x" * 5001})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Give the e-mail a subject." in html
    assert "The follow-up e-mail can be at most 5,000 characters; this is 5,001." in html
    assert not mail.outbox


def test_the_service_refuses_what_the_form_would(client):
    call = make_call()
    with pytest.raises(ValidationError) as caught:
        follow_up_send(call_id=call.pk, by=call.executive.user, subject="s" * 201, body=" ")
    assert caught.value.message_dict == {
        "subject": ["The subject can be at most 200 characters; this is 201."],
        "body": ["Write the e-mail before sending it."],
    }
    # a subject is one line: a line break (a header injection) becomes a space
    follow_up, _ = follow_up_send(call_id=call.pk, by=call.executive.user, subject="two\r\nBcc: x@y.z", body="b")
    assert follow_up.subject == mail.outbox[0].subject == "two Bcc: x@y.z"


def test_a_refusing_mail_server_is_recorded_and_a_second_try_sends(client, monkeypatch):
    call = make_call()
    client.force_login(call.executive.user)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        response = client.post(url(call), {"subject": "Thanks", "body": "Thanks"})
    assert response.status_code == 400
    assert "could not be sent (ConnectionRefusedError); nothing went out" in response.content.decode()
    assert CallFollowUp.objects.get().status == "failed"

    page = client.get(url(call)).content.decode()
    assert "failed" in page and "<textarea" in page  # the failed attempt can be sent again
    assert client.post(url(call), {"subject": "Thanks", "body": "Thanks again"}).status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].body == "Thanks again"
    follow_up = CallFollowUp.objects.get()
    assert (follow_up.status, follow_up.attempts) == ("sent", 2)


def test_one_being_sent_is_never_sent_again(client):
    call = make_call()
    CallFollowUp.objects.create(call=call, to="x@example.com", subject="s", body="b", claimed_at=NOW)
    follow_up, sent_now = follow_up_send(call_id=call.pk, by=call.executive.user, subject="s", body="b")
    assert not sent_now and follow_up.status == "sending" and not mail.outbox


def test_a_voicemail_draft_says_sorry_we_missed_each_other(client):
    call = make_call(outcome="voicemail", notes="Left a voicemail.")
    client.force_login(call.executive.user)
    form = client.get(url(call)).context["form"]
    assert form.initial["subject"] == "Sorry I missed you, Aurora Freight"
    assert "I tried to reach you on Wednesday 25 November" in form.initial["body"]
    assert "What we heard" not in form.initial["body"]


def test_private_notes_are_not_shown_to_an_admin_less_reader_and_never_drafted(client):
    call = make_call(private=True)
    client.force_login(AdminFactory())
    html = client.get(url(call)).content.decode()
    assert "CFO leaving in March" in html  # admins read every note, beside the draft, never in it
    assert "CFO" not in client.get(url(call)).context["form"].initial["body"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=st.text(max_size=260), body=st.text(max_size=5200))
def test_whatever_is_posted_is_sent_once_or_refused_in_words(client, subject, body):
    CallFollowUp.objects.all().delete()
    mail.outbox.clear()
    call = CallLog.objects.first() or make_call()
    client.force_login(call.executive.user)
    response = client.post(url(call), {"subject": subject, "body": body})
    assert response.status_code in (302, 400)
    assert len(mail.outbox) == (1 if response.status_code == 302 else 0)
