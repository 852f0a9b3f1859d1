"""The sign-in, lockout and password pages in real Chromium, with screenshots for a reviewer."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lockout_and_password_reset_in_a_browser(browser, live_server, screenshot_dir, settings):
    settings.SITE_URL = live_server.url
    UserFactory(email="maya@example.com", first_name="Maya", last_name="Lindqvist")
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.screenshot(path=screenshot_dir / "signin_1_login.png")
    for _ in range(6):  # the sign-in page comes back after each wrong password, the sixth is refused
        page.fill("input[name=username]", "maya@example.com")
        page.fill("input[name=password]", "not-my-password")
        page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Sign-in paused")).to_be_visible()
    expect(page.get_by_text("You can try again in 15 minutes")).to_be_visible()
    page.screenshot(path=screenshot_dir / "signin_2_lockout.png")

    page.get_by_role("link", name="Reset it by e-mail").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.screenshot(path=screenshot_dir / "signin_3_reset_form.png")
    page.fill("input[name=email]", "maya@example.com")
    page.get_by_role("button", name="E-mail me a link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.screenshot(path=screenshot_dir / "signin_4_reset_sent.png")

    link = re.search(r"(http://\S+/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.fill("input[name=new_password1]", "maya")
    page.fill("input[name=new_password2]", "maya")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("This password is too short")).to_be_visible()
    page.screenshot(path=screenshot_dir / "signin_5_reset_weak.png", full_page=True)
    page.fill("input[name=new_password1]", "Ring-them-on-Tuesday")
    page.fill("input[name=new_password2]", "Ring-them-on-Tuesday")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    page.screenshot(path=screenshot_dir / "signin_6_reset_done.png")

    page.get_by_role("link", name="Sign in").last.click()
    page.fill("input[name=username]", "maya@example.com")
    page.fill("input[name=password]", "Ring-them-on-Tuesday")
    page.click("button[type=submit]")
    expect(page.get_by_text("has no role yet")).to_be_visible()  # signed in at once: the reset lifted the lockout

    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    page.screenshot(path=screenshot_dir / "signin_7_reset_link_used.png")


def test_change_password_from_the_user_menu(login_page, live_server, screenshot_dir):
    user = UserFactory(email="rita@example.com", first_name="Rita", last_name="Okafor", roles=["Program admins"])
    page = login_page(user)
    page.get_by_role("button", name="Rita Okafor").click()  # the user menu
    expect(page.get_by_text("Signed in as rita@example.com")).to_be_visible()
    page.screenshot(path=screenshot_dir / "password_change_0_menu.png")
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", "12345678")
    page.fill("input[name=new_password2]", "12345678")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("This password is entirely numeric.")).to_be_visible()
    page.screenshot(path=screenshot_dir / "password_change_1_refused.png", full_page=True)
    page.fill("input[name=old_password]", PASSWORD)
    page.fill("input[name=new_password1]", "Promises-kept-2026")
    page.fill("input[name=new_password2]", "Promises-kept-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Your password is changed")).to_be_visible()
    page.screenshot(path=screenshot_dir / "password_change_2_done.png")
    page.get_by_role("link", name="Back to your start page").click()
    expect(page.get_by_text("The program today")).to_be_visible()  # still signed in
