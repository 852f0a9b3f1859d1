"""A program admin loads a Zendesk export in real Chromium: check, read the report, confirm."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from customers.models import SupportTicket
from tests.factories import AdminFactory

from .conftest import SAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_uploads_a_zendesk_export_and_confirms(login_page, live_server, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("import_customers", str(SAMPLES / "customers.csv"), stdout=io.StringIO())
    page = login_page(AdminFactory())

    page.goto(f"{live_server.url}/")
    page.click("nav >> text=Imports")
    page.select_option("select[name=kind]", "tickets:zendesk")
    page.set_input_files("input[name=file]", str(SAMPLES / "zendesk_tickets.csv"))
    page.click("button:has-text('Check the file')")

    page.wait_for_selector("text=The file is ready to import")
    assert page.inner_text("[data-count=created]") == "4"
    page.screenshot(path=str(screenshot_dir / "imports_dry_run.png"), full_page=True)
    assert not SupportTicket.objects.exists()

    page.click("button:has-text('Import 4 rows')")
    page.wait_for_selector("text=Imported.")
    page.screenshot(path=str(screenshot_dir / "imports_done.png"), full_page=True)
    assert SupportTicket.objects.filter(source="zendesk").count() == 4

    page.click("text=Upload another file")
    # expect() waits for the list to load; count() would read the page being left.
    expect(page.locator("table >> text=zendesk_tickets.csv")).to_have_count(1)
    page.screenshot(path=str(screenshot_dir / "imports_list.png"), full_page=True)


def test_admin_sees_the_bad_rows_of_a_file(login_page, live_server, screenshot_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("import_customers", str(SAMPLES / "customers.csv"), stdout=io.StringIO())
    page = login_page(AdminFactory())

    page.goto(f"{live_server.url}/imports/")
    page.select_option("select[name=kind]", "tickets:csv")
    page.set_input_files("input[name=file]", str(SAMPLES / "tickets_bad_rows.csv"))
    page.click("button:has-text('Check the file')")

    page.wait_for_selector("text=The file has errors; nothing was saved.")
    assert page.locator("#errors tbody tr").count() == 6
    assert page.locator("#skips tbody tr").count() == 1  # row 5 matches no customer
    page.screenshot(path=str(screenshot_dir / "imports_errors.png"), full_page=True)


def test_admin_chooses_to_create_customers_for_unmatched_rows(
    login_page, live_server, screenshot_dir, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("import_customers", str(SAMPLES / "customers.csv"), stdout=io.StringIO())
    page = login_page(AdminFactory())

    page.goto(f"{live_server.url}/imports/")
    page.select_option("select[name=kind]", "tickets:zendesk")
    page.set_input_files("input[name=file]", str(SAMPLES / "zendesk_unmatched.csv"))
    page.click("button:has-text('Check the file')")

    page.wait_for_selector("text=3 rows match no customer")
    assert page.locator("#skips tbody tr").count() == 3
    page.screenshot(path=str(screenshot_dir / "imports_unmatched_choice.png"), full_page=True)

    page.check("#unmatched-create")
    page.click("button:has-text('Import the file')")
    page.wait_for_selector("text=Imported.")
    page.screenshot(path=str(screenshot_dir / "imports_unmatched_created.png"), full_page=True)
    assert SupportTicket.objects.count() == 6
    assert SupportTicket.objects.filter(customer__name="Northwind Traders").count() == 2
