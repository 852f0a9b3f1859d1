import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from notifications.models import NotificationPreference
from tests.factories import AdminFactory, ExecutiveFactory, LeadFactory, UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES = "/notifications/"


def test_preferences_page_needs_a_sign_in(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_executive_sees_their_emails_and_their_feed_with_instructions(client, settings):
    settings.SITE_URL = "https://calls.example.com"
    executive = ExecutiveFactory()
    client.force_login(executive.user)
    response = client.get(PREFERENCES)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="weekly_briefing" id="id_weekly_briefing" checked' in html
    assert 'name="overdue_digest"' in html
    assert 'name="program_weekly"' not in html and 'name="flag_outcome"' not in html
    assert f'value="https://calls.example.com/calendar/{executive.calendar_token}.ics"' in html
    assert f'href="webcal://calls.example.com/calendar/{executive.calendar_token}.ics"' in html
    assert "From URL" in html and "Subscribe from web" in html
    assert f'action="/calendar/{executive.pk}/new-token/"' in html


def test_lead_sees_the_flag_email_and_no_feed(client):
    lead = LeadFactory()
    client.force_login(lead)
    html = client.get(PREFERENCES).content.decode()
    assert 'name="flag_outcome"' in html and 'name="weekly_briefing"' not in html
    assert "/calendar/" not in html


def test_saving_preferences_keeps_the_emails_the_form_does_not_show(client):
    lead = LeadFactory()
    NotificationPreference.objects.create(user=lead, weekly_briefing=False)
    client.force_login(lead)
    response = client.post(PREFERENCES, {"overdue_digest": "on"}, follow=True)
    assert "Your e-mail preferences are saved." in response.content.decode()
    preference = NotificationPreference.objects.get(user=lead)
    assert (preference.overdue_digest, preference.flag_outcome, preference.weekly_briefing) == (True, False, False)
    assert 'name="flag_outcome" id="id_flag_outcome">' in response.content.decode()  # shown unticked


def test_a_user_without_an_address_is_told_nothing_is_sent(client):
    client.force_login(UserFactory(email=""))
    assert "has no e-mail address" in client.get(PREFERENCES).content.decode()


def test_replacing_the_token_needs_a_post_and_returns_to_the_page(client):
    executive = ExecutiveFactory()
    old = executive.calendar_token
    client.force_login(executive.user)
    url = reverse("notifications:calendar_token_rotate", args=[executive.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "/sheet/2027-03-22/"})
    assert response.status_code == 302 and response["Location"] == "/sheet/2027-03-22/"
    executive.refresh_from_db()
    assert executive.calendar_token != old and len(executive.calendar_token) >= 32
    response = client.post(url, {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == PREFERENCES
    assert "feed has a new address" in response.content.decode()


def test_only_the_executive_or_an_admin_can_replace_a_token(client):
    executive = ExecutiveFactory()
    old = executive.calendar_token
    url = reverse("notifications:calendar_token_rotate", args=[executive.pk])
    for stranger in (ExecutiveFactory().user, LeadFactory()):
        client.force_login(stranger)
        assert client.post(url).status_code == 404
    executive.refresh_from_db()
    assert executive.calendar_token == old
    client.force_login(AdminFactory())
    client.post(url)
    executive.refresh_from_db()
    assert executive.calendar_token != old


def test_the_sheet_page_snippet_shows_the_feed_and_the_replace_button(settings):
    settings.SITE_URL = "https://calls.example.com"
    executive = ExecutiveFactory()
    request = RequestFactory().get("/sheet/2027-03-22/")
    request.user = executive.user
    html = render_to_string("notifications/_calendar_feed.html", {"executive": executive}, request=request)
    assert f"https://calls.example.com/calendar/{executive.calendar_token}.ics" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="next" value="/sheet/2027-03-22/"' in html
    assert "Replace address" in html


def test_nav_links_to_the_preferences_page(client):
    client.force_login(LeadFactory())
    assert f'href="{PREFERENCES}"' in client.get(PREFERENCES).content.decode()
