"""What the README promises about who reads what: leads share the flag queue; sheets and commitments stay private."""

from datetime import date

import pytest

from tests.factories import CallSheetFactory, CommitmentFactory, ExecutiveFactory, FlagFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_a_lead_opens_and_adds_to_another_leads_flag(client):
    flag = FlagFactory()
    client.force_login(LeadFactory())
    assert client.get(f"/flags/{flag.pk}/").status_code == 200
    response = client.post(f"/flags/{flag.pk}/notes/", {"text": "They wrote to me too."})
    assert response.status_code in (200, 302)
    assert flag.notes.filter(text="They wrote to me too.").exists()


def test_another_executives_sheet_and_commitments_are_404(client):
    sheet = CallSheetFactory(week_start=date(2026, 11, 23))
    commitment = CommitmentFactory()
    client.force_login(ExecutiveFactory().user)
    assert client.get(f"/sheet/{sheet.week_start}/?executive={sheet.executive.pk}").status_code == 404
    assert client.get(f"/commitments/{commitment.pk}/").status_code == 404
