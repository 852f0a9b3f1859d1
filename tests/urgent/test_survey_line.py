"""The scoring policy's survey line: answers past it raise an urgent flag quoting the customer, from
the webhook, an uploaded file and an import alike; the policy page counts them before saving."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callsheets.models import ScoringPolicy, SheetEntry
from callsheets.survey_line import crosses_survey_line, survey_line_preview
from customers.models import Customer, Flag, FlagNote, SurveyResponse
from imports.services import surveys_import
from imports.signing import sign
from tests.factories import AdminFactory, ContactFactory, CustomerFactory, FlagFactory, SurveyResponseFactory

from .conftest import NOW

pytestmark = pytest.mark.django_db

SECRET = "test-webhook-secret"


@pytest.fixture
def acme(db):
    customer = CustomerFactory(name="Acme Freight", domain="acme.example", timezone="America/Chicago")
    ContactFactory(customer=customer, name="Dana Whitfield", email="dana@acme.example", phone="+1 312 555 0142")
    return customer


def delighted(score=0, comment="Don't bother, you guys are absolute idiots", event_id="e1", type_="created"):
    return {
        "event_type": f"survey_response.{type_}",
        "event_id": event_id,
        "event_data": {
            "id": "823",
            "person": {"id": "44", "email": "dana@acme.example", "name": "Dana"},
            "survey_type": "nps",
            "score": score,
            "comment": comment,
            "created_at": int((NOW - timedelta(hours=1)).timestamp()),
        },
    }


@pytest.fixture
def post_survey(client, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_SECRET = SECRET

    def send(payload):
        body = json.dumps(payload).encode()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/webhooks/surveys/", body, content_type="application/json", HTTP_X_SIGNATURE=sign(body, SECRET)
            )

    return send


def test_a_delighted_nps_0_with_a_comment_raises_an_urgent_flag_placed_at_once(post_survey, policy, maya, acme):
    assert post_survey(delighted()).status_code == 202
    flag = Flag.objects.get(customer=acme)
    assert (flag.origin, flag.urgency, flag.raised_by) == (Flag.Origin.SURVEY, Flag.Urgency.URGENT, None)
    assert flag.reason == "Delighted NPS 0, 30 Nov: \u201cDon't bother, you guys are absolute idiots\u201d"
    assert flag.origin_label == "Delighted NPS 0, 30 Nov"
    assert flag.survey_response == SurveyResponse.objects.get()
    entry = SheetEntry.objects.get(customer=acme)
    assert (entry.position, entry.sheet.executive, entry.flag) == (1, maya, flag)
    [email] = mail.outbox
    assert "absolute idiots" in email.body and email.to == ["maya@example.com"]


def test_the_same_answer_again_raises_nothing_more(post_survey, policy, maya, acme):
    post_survey(delighted(event_id="e1"))
    post_survey(delighted(event_id="e2", type_="updated", comment="Still idiots."))
    assert Flag.objects.count() == 1 and FlagNote.objects.count() == 0
    assert SheetEntry.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("score, comment", [(0, None), (0, "   "), (2, "Awful."), (9, "Great!")])
def test_answers_inside_the_line_raise_nothing(post_survey, policy, maya, acme, score, comment):
    post_survey(delighted(score=score, comment=comment))
    assert not Flag.objects.exists()


def test_an_answer_to_a_customer_already_flagged_makes_that_flag_urgent(post_survey, policy, maya, acme):
    flag = FlagFactory(customer=acme)
    post_survey(delighted())
    flag.refresh_from_db()
    note = flag.notes.get()
    assert flag.urgency == Flag.Urgency.URGENT and note.made_urgent and "absolute idiots" in note.text
    assert SheetEntry.objects.get(customer=acme).position == 1


def test_an_uploaded_file_raises_the_same_flag_and_an_old_answer_none(policy, maya, acme):
    other = CustomerFactory(external_id="C-OLD")
    ContactFactory(customer=other)
    rows = (
        "external_id,customer_external_id,email,kind,score,comment,responded_at\n"
        f"S-1,{acme.external_id},,nps,1,The integration broke again and nobody told us.,2026-11-30T12:00:00Z\n"
        "S-2,C-OLD,,nps,0,Old news from last month.,2026-10-20T12:00:00Z\n"
    )
    result = surveys_import(stream=io.BytesIO(rows.encode()), name="surveys.csv", file_format="csv")
    assert result.ok and result.flags_raised == 1
    flag = Flag.objects.get()
    assert flag.customer == acme and flag.reason.startswith("CSV NPS 1, 30 Nov: \u201cThe integration broke")


def test_tiers_match_ignoring_case_and_revenue_is_a_floor(policy):
    policy.survey_alarm_tiers = "Strategic, ENTERPRISE"
    policy.survey_alarm_min_revenue = Decimal("100000")
    answer = SurveyResponse(kind="nps", score=0, comment="Bad.", responded_at=NOW)
    assert crosses_survey_line(answer, Customer(tier_id="enterprise", annual_revenue=200000), policy)
    assert not crosses_survey_line(answer, Customer(tier_id="smb", annual_revenue=200000), policy)
    assert not crosses_survey_line(answer, Customer(tier_id="strategic", annual_revenue=99999), policy)
    policy.survey_alarm_kind = ""
    assert not crosses_survey_line(answer, Customer(tier_id="strategic", annual_revenue=200000), policy)


def test_the_policy_page_counts_the_lines_flags_over_eight_weeks_before_saving(client, policy, acme):
    for days, score, comment in [(3, 0, "Idiots."), (20, 1, "Slow."), (40, 1, ""), (70, 0, "Too old."), (5, 4, "Meh")]:
        SurveyResponseFactory(
            customer=acme, kind="nps", score=score, comment=comment, responded_at=NOW - timedelta(days)
        )
    assert survey_line_preview(ScoringPolicy.objects.active())["answers"] == 2
    client.force_login(AdminFactory())
    page = client.get("/program/policy/").content.decode()
    assert "would have raised 1 urgent flag" in page and "2 answers crossed it" in page
    wider = {"survey_alarm_kind": "nps", "survey_alarm_max_score": "4", "survey_alarm_min_revenue": "0"}
    fragment = client.get("/program/policy/survey-line/", wider).content.decode()
    assert "would have raised 1 urgent flag" in fragment and "4 answers crossed it" in fragment  # no comment needed
    bad = client.get("/program/policy/survey-line/", {**wider, "survey_alarm_max_score": "12"}).content.decode()
    assert "A NPS score is at most 10, not 12." in bad
    form = client.get("/program/policy/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k != "is_active"}
    data = {**data, **wider, "survey_alarm_comment_required": "on", "preview": "1"}
    response = client.post("/program/policy/", data)
    assert response.status_code == 200 and "would have raised 1 urgent flag" in response.content.decode()
    assert ScoringPolicy.objects.active().survey_alarm_max_score == 1  # the preview saved nothing
    del data["preview"]
    assert client.post("/program/policy/", data).status_code == 302
    assert ScoringPolicy.objects.active().survey_alarm_max_score == 4


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.dictionaries(
        st.sampled_from(
            ["survey_alarm_kind", "survey_alarm_max_score", "survey_alarm_tiers", "survey_alarm_min_revenue", "x"]
        ),
        st.text(max_size=12),
        max_size=5,
    )
)
def test_the_preview_answers_any_query_string_without_an_error(client, policy, query):
    client.force_login(AdminFactory(email="hyp@example.com", username="hyp@example.com"))
    response = client.get("/program/policy/survey-line/", {k: v.replace("\x00", "") for k, v in query.items()})
    assert response.status_code == 200
