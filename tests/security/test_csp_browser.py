"""Every page, for each role that can see it, in real Chromium under the strict Content-Security-Policy:
no violation, no JavaScript error, and the page's scripts (Bootstrap, htmx, our static files) still work."""

import pytest
from playwright.sync_api import expect

from tests.security.test_permission_matrix import MATRIX
from tests.security.world import PRIVATE_NOTE, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collects what the browser reports, from before the page's own scripts run.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watcher:
    """Console errors, uncaught exceptions and CSP violations of one browser context."""

    def __init__(self, context):
        self.problems: list[str] = []
        self.expected_failure = None  # a page visited for its 403 or 404 reports that status in the console
        context.add_init_script(WATCH)
        context.on("console", self._console)
        context.on("weberror", lambda e: self.problems.append(f"error: {e.error}"))

    def _console(self, message):
        if message.type != "error":
            return
        if message.location.get("url") == self.expected_failure and "Failed to load resource" in message.text:
            return
        self.problems.append(f"console: {message.text} ({message.location.get('url')})")

    def visit(self, page, url: str, expect_status: int = 200):
        self.expected_failure = url if expect_status != 200 else None
        response = page.goto(url, wait_until="load")  # deferred scripts have run, htmx has processed the page
        assert response.status == expect_status, (url, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (url, policy)
        self.check(page, url)

    def check(self, page, where: str):
        violations = page.evaluate("window.__cspViolations || []")
        self.problems.extend(f"{where}: CSP {v}" for v in violations)
        assert not self.problems, "\n".join(self.problems)


def signed_in(browser, live_server, user, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
    watcher = Watcher(context)
    page = context.new_page()
    if user is not None:
        watcher.visit(page, f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", "pw-for-tests")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        watcher.check(page, "after sign-in")
    return context, page, watcher


@pytest.fixture
def world():
    return build_world()


# Pages for machines (JSON, an icon, a calendar, a CSV, a sample file to download) have no scripts to run.
NOT_HTML = {"healthz", "favicon", "notifications:calendar_feed", "imports:sample", "imports:left_out"}


@pytest.mark.parametrize("who", ["anonymous", "exec_a", "lead", "admin"])
def test_every_page_of_the_matrix_loads_clean_for_each_role_that_can_see_it(browser, live_server, world, who):
    """Every GET row of the permission matrix that answers this identity 200 (or its 403/404 page)."""
    context, page, watcher = signed_in(browser, live_server, world.users[who])
    visited = set()
    for row in MATRIX:
        status = row.expected[who]
        if row.method != "GET" or row.name in NOT_HTML or "format=csv" in row.query or status not in (200, 403, 404):
            continue
        url = row.url(world)
        if url in visited:
            continue
        visited.add(url)
        watcher.visit(page, live_server.url + url, expect_status=status)
    assert len(visited) >= {"anonymous": 5, "exec_a": 15, "lead": 15, "admin": 25}[who], visited
    context.close()


def test_signed_out_pages(browser, live_server, world):
    context, page, watcher = signed_in(browser, live_server, None)
    watcher.visit(page, f"{live_server.url}/admin/login/")
    watcher.visit(page, f"{live_server.url}/nowhere/", expect_status=404)
    context.close()


def test_an_executives_scripts(browser, live_server, world, screenshot_dir):
    context, page, watcher = signed_in(browser, live_server, world.users["exec_a"])
    url = live_server.url
    watcher.visit(page, f"{url}/customers/{world.customer_b.pk}/")
    assert PRIVATE_NOTE not in page.content()

    watcher.visit(page, f"{url}/sheet/")
    card = page.locator(f"#entry-{world.entry_a_pending.pk}")
    card.get_by_text("Reached", exact=True).click()  # a link: htmx brings the card's form, Reached picked
    card.locator("textarea[name$='-notes']").fill("Wants a call from engineering; personal matters discussed.")
    card.get_by_label("Private: only you and program admins read these notes").check()
    card.get_by_role("button", name="+ Add another promise").click()  # static/js/sheet.js
    expect(card.locator("textarea[name$='-c-1-promise']")).to_be_visible()
    expect(card.get_by_text("characters").first).to_be_visible()  # static/js/char-counter.js
    card.screenshot(path=screenshot_dir / "csp_sheet_card_private_note.png")
    page.evaluate("window.stillHere = true")
    card.get_by_role("button", name="Save call").click()  # htmx swaps the card
    card = page.locator(f"#entry-{world.entry_a_pending.pk}")
    expect(card.get_by_text("Private", exact=True)).to_be_visible()
    assert page.evaluate("window.stillHere") is True
    card.get_by_role("link", name="Correct or add a promise").click()  # htmx brings the correction form
    expect(card.get_by_label("Private: only you and program admins read these notes")).to_be_checked()
    card.screenshot(path=screenshot_dir / "csp_sheet_card_private_note_logged.png")
    watcher.check(page, "the sheet after logging a call")

    page.get_by_role("button", name="Anna Berg").click()  # Bootstrap's dropdown (Popper)
    expect(page.get_by_text("Signed in as anna@example.com")).to_be_visible()

    watcher.visit(page, f"{url}/commitments/")
    page.get_by_label("Select all on this page").check()  # data-select-all, static/js/behaviours.js
    expect(page.locator("#bulk-count")).to_have_text("1 selected")  # static/js/commitments.js
    page.locator("select[name=action]").select_option("reassign")
    expect(page.locator("[data-for=reassign]")).to_be_visible()
    expect(page.locator("[data-for='done drop']")).to_be_hidden()

    watcher.visit(page, f"{url}/notifications/")
    feed = page.locator(f"#calendar-feed-{world.exec_a.pk}")
    feed.focus()  # data-select-on-focus
    assert page.evaluate("window.getSelection().toString()") == feed.input_value()
    page.once("dialog", lambda dialog: dialog.dismiss())  # data-confirm: Cancel keeps the address
    page.get_by_role("button", name="Replace address").click()
    expect(page.locator(f"#calendar-feed-{world.exec_a.pk}")).to_have_value(feed.input_value())
    watcher.check(page, "notifications")
    context.close()


def test_a_support_leads_scripts(browser, live_server, world, screenshot_dir):
    context, page, watcher = signed_in(browser, live_server, world.users["lead"])
    url = live_server.url
    for path in (f"/flags/{world.flag_lead.pk}/", f"/commitments/{world.commitment_b_for_lead.pk}/"):
        watcher.visit(page, url + path)
        assert PRIVATE_NOTE not in page.content(), path
    watcher.visit(page, f"{url}/customers/{world.customer_b.pk}/")
    assert PRIVATE_NOTE not in page.content()
    page.screenshot(path=screenshot_dir / "csp_lead_customer_page.png", full_page=True)

    watcher.visit(page, f"{url}/customers/")
    page.fill("#id_q", "Boreal")  # htmx refreshes the results as you type
    expect(page.get_by_role("link", name="Boreal Health")).to_be_visible()
    expect(page.get_by_role("link", name="Aurora Freight")).to_be_hidden()
    watcher.visit(page, f"{url}/flags/new/")
    page.get_by_role("searchbox").first.fill("Cobalt")  # the customer picker, htmx
    expect(page.locator("#picker-results").get_by_text("Cobalt Mining")).to_be_visible()
    watcher.check(page, "the flag form's picker")
    context.close()


def test_the_django_admin_and_an_admins_sheet_picker(browser, live_server, world):
    context, page, watcher = signed_in(browser, live_server, world.users["admin"])
    url = live_server.url
    for path in (
        f"/flags/new/?customer={world.customer_free.pk}",  # already flagged: add to it
        "/admin/",
        "/admin/callsheets/callsheet/",
        f"/admin/callsheets/callsheet/{world.sheet_b.pk}/change/",
        f"/admin/callsheets/sheetentry/{world.entry_b.pk}/change/",
        "/admin/callsheets/calllog/",
        f"/admin/callsheets/calllog/{world.call_b.pk}/change/",
        "/admin/callsheets/commitment/",
        f"/admin/callsheets/commitment/{world.commitment_b.pk}/change/",
        "/admin/callsheets/buildrun/",
        "/admin/customers/customer/",
        f"/admin/customers/flag/{world.flag_lead.pk}/change/",
        "/admin/imports/importrun/",
        "/admin/notifications/emaildelivery/",
        "/admin/axes/accessattempt/",
    ):
        watcher.visit(page, url + path)

    watcher.visit(page, f"{url}/sheet/?executive={world.exec_b.pk}")
    page.locator("#pick-executive").select_option(str(world.exec_a.pk))  # data-auto-submit
    page.wait_for_url(f"**/sheet/?executive={world.exec_a.pk}")
    watcher.check(page, "the sheet picker")

    watcher.visit(page, f"{url}/admin/callsheets/executive/{world.exec_a.pk}/change/")
    page.locator(".select2-selection").first.click()  # the admin's autocomplete widget (select2)
    expect(page.locator(".select2-search__field")).to_be_visible()
    watcher.check(page, "the admin's autocomplete")
    page.keyboard.press("Escape")
    watcher.visit(page, f"{url}/admin/callsheets/commitment/")
    page.locator("#action-toggle").check()  # the admin's own actions.js
    expect(page.locator(".action-counter")).to_contain_text("selected")
    watcher.check(page, "the admin's actions")
    context.close()
