from datetime import timedelta

import pytest
from django.utils import timezone

from callsheets.forms.commitments import SORT_LABELS
from callsheets.models import Commitment, CommitmentChange
from tests.factories import AdminFactory, CommitmentFactory, ExecutiveFactory, LeadFactory, UserFactory

from .helpers import make_commitments

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def ids_on_page(response) -> set[int]:
    return {c.pk for c in response.context["page"].object_list}


def test_admin_sees_every_commitment_with_the_columns(client):
    c = CommitmentFactory(promise="Send the outage report by Friday")
    client.force_login(AdminFactory())
    response = client.get("/commitments/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Send the outage report by Friday", c.customer.name, c.call.executive.name, "Customer told", "Age"):
        assert text in html
    assert f'href="/customers/{c.customer_id}/"' in html


def test_executive_sees_only_the_commitments_they_made(client):
    mine, theirs = CommitmentFactory(), CommitmentFactory()
    client.force_login(mine.call.executive.user)
    response = client.get("/commitments/")
    assert ids_on_page(response) == {mine.pk}
    assert client.get(f"/commitments/{theirs.pk}/").status_code == 404


def test_owner_sees_what_they_own(client):
    lead = LeadFactory()
    owned = CommitmentFactory(owner=lead)
    CommitmentFactory()
    client.force_login(lead)
    assert ids_on_page(client.get("/commitments/")) == {owned.pk}


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/commitments/").url.startswith("/accounts/login/")


def test_filters_by_executive_owner_customer_status_overdue_and_due_range(client):
    admin = AdminFactory()
    late = CommitmentFactory(due_date=TODAY() - timedelta(days=3))
    soon = CommitmentFactory(due_date=TODAY() + timedelta(days=2))
    done = CommitmentFactory(due_date=TODAY() - timedelta(days=9))
    done.status, done.completed_at = "done", timezone.now()
    done.save()
    client.force_login(admin)
    assert ids_on_page(client.get("/commitments/?overdue=1")) == {late.pk}
    assert ids_on_page(client.get(f"/commitments/?executive={soon.call.executive.pk}")) == {soon.pk}
    assert ids_on_page(client.get(f"/commitments/?owner={late.owner.pk}")) == {late.pk}
    assert ids_on_page(client.get(f"/commitments/?customer={done.customer.pk}")) == {done.pk}
    assert ids_on_page(client.get("/commitments/?status=done")) == {done.pk}
    assert ids_on_page(client.get("/commitments/?status=open")) == {late.pk, soon.pk}
    window = f"due_from={TODAY() - timedelta(days=5)}&due_to={TODAY()}"
    assert ids_on_page(client.get(f"/commitments/?{window}")) == {late.pk}


def test_overdue_rows_stand_out(client):
    late = CommitmentFactory(due_date=TODAY() - timedelta(days=4))
    client.force_login(AdminFactory())
    html = client.get("/commitments/").content.decode()
    assert f'class="table-overdue" data-id="{late.pk}"' in html
    assert "overdue 4 d" in html


def test_sorting_by_due_date_descending(client):
    a = CommitmentFactory(due_date=TODAY() + timedelta(days=1))
    b = CommitmentFactory(due_date=TODAY() + timedelta(days=9))
    client.force_login(AdminFactory())
    page = client.get("/commitments/?sort=-due").context["page"]
    assert [c.pk for c in page.object_list] == [b.pk, a.pk]


@pytest.mark.parametrize(
    "query, message",
    [
        ("status=late", "status: late is not one of open, done, dropped."),
        ("executive=abc", "executive: abc is not the id of an executive"),
        ("owner=999999", "owner: 999999 is not the id of an owner"),
        ("customer=x", "customer: x is not the id of a customer"),
        ("overdue=yes", "overdue: yes is not 1"),
        ("due_from=31-12-2026", "due_from: give a date as YYYY-MM-DD."),
        ("due_from=2026-12-31&due_to=2026-01-01", "is after due_to"),
        ("sort=price", "sort: price is not one of"),
    ],
)
def test_bad_filters_say_what_is_wrong(client, query, message):
    CommitmentFactory()
    client.force_login(AdminFactory())
    response = client.get(f"/commitments/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    csv_response = client.get(f"/commitments/?{query}&format=csv")
    assert csv_response.status_code == 400
    assert message in csv_response.content.decode()


def test_unknown_format_is_refused(client):
    client.force_login(AdminFactory())
    response = client.get("/commitments/?format=xlsx")
    assert response.status_code == 400 and b"format=csv" in response.content


def test_empty_state(client):
    client.force_login(AdminFactory())
    assert "No commitments yet" in client.get("/commitments/").content.decode()
    CommitmentFactory()
    assert "No commitment matches these filters" in client.get("/commitments/?status=dropped").content.decode()


def test_pagination(client):
    make_commitments(120)
    client.force_login(AdminFactory())
    page = client.get("/commitments/?page=3").context["page"]
    assert page.number == 3 and len(page.object_list) == 20 and page.paginator.count == 120
    assert client.get("/commitments/?page=abc").status_code == 200


@pytest.mark.parametrize("n", [10, 1000])
def test_list_queries_do_not_grow(client, django_assert_max_num_queries, n):
    make_commitments(n)
    client.force_login(AdminFactory())
    with django_assert_max_num_queries(13):
        response = client.get("/commitments/?status=open")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 50)


def test_bulk_done_with_resolution_then_back_to_the_filtered_list(client):
    admin = AdminFactory()
    a, b, c = (CommitmentFactory(due_date=TODAY() - timedelta(days=2)) for _ in range(3))
    client.force_login(admin)
    response = client.post(
        "/commitments/bulk/",
        {"ids": [a.pk, b.pk], "action": "done", "text": "Credits issued", "next": "/commitments/?overdue=1"},
    )
    assert response.status_code == 302 and response.url == "/commitments/?overdue=1"
    assert set(Commitment.objects.filter(status="done").values_list("pk", flat=True)) == {a.pk, b.pk}
    assert CommitmentChange.objects.filter(field="status", by=admin).count() == 2
    follow = client.get(response.url)
    assert "2 commitments marked done." in follow.content.decode()
    assert ids_on_page(follow) == {c.pk}


def test_bulk_without_a_resolution_keeps_the_selection_and_says_why(client):
    a = CommitmentFactory()
    client.force_login(AdminFactory())
    response = client.post("/commitments/bulk/", {"ids": [a.pk], "action": "done", "text": "", "next": "/commitments/"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what was done." in html
    assert f'name="ids" value="{a.pk}" aria-label="Select commitment {a.pk}" checked' in html
    assert Commitment.objects.get(pk=a.pk).status == "open"
    # The missing resolution is said beside its field; no empty red box above the form.
    assert 'id="bulk-errors"' not in html


def test_bulk_reassign_and_move(client):
    admin = AdminFactory()
    new_owner = UserFactory(roles=["Program admins"])
    a, b = CommitmentFactory(), CommitmentFactory()
    client.force_login(admin)
    client.post(
        "/commitments/bulk/", {"ids": [a.pk, b.pk], "action": "reassign", "owner": new_owner.pk, "confirm": "1"}
    )
    new_due = TODAY() + timedelta(days=14)
    client.post("/commitments/bulk/", {"ids": [a.pk, b.pk], "action": "move_due", "due_date": new_due.isoformat()})
    client.post("/commitments/bulk/", {"ids": [a.pk], "action": "told"})
    rows = Commitment.objects.order_by("pk")
    assert [(c.owner_id, c.due_date) for c in rows] == [(new_owner.pk, new_due)] * 2
    assert [c.customer_told for c in rows] == [True, False]


def test_bulk_with_bad_ids_and_foreign_next(client):
    a = CommitmentFactory()
    client.force_login(a.call.executive.user)
    response = client.post("/commitments/bulk/", {"ids": ["x"], "action": "told"})
    assert response.status_code == 400 and "&#x27;x&#x27; is not a commitment id." in response.content.decode()
    other = CommitmentFactory()
    response = client.post("/commitments/bulk/", {"ids": [other.pk], "action": "told"})
    assert "not yours to change" in response.content.decode()
    response = client.post("/commitments/bulk/", {"ids": [a.pk], "action": "told", "next": "https://evil.example/"})
    assert response.url == "/commitments/"


def test_detail_shows_history_and_acts(client):
    admin = AdminFactory()
    c = CommitmentFactory(promise="Fix the SSO bug")
    client.force_login(admin)
    response = client.post(f"/commitments/{c.pk}/complete/", {"complete-resolution": "Shipped in 4.2"})
    assert response.status_code == 302
    html = client.get(f"/commitments/{c.pk}/").content.decode()
    assert "Marked done." in html and "Shipped in 4.2" in html
    assert 'id="history"' in html and admin.get_full_name() in html


def test_detail_errors_show_beside_the_field(client):
    c = CommitmentFactory()
    client.force_login(AdminFactory())
    response = client.post(f"/commitments/{c.pk}/move-due/", {"move-due-due_date": "next week", "move-due-note": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid date." in html and 'value="next week"' in html
    response = client.post(f"/commitments/{c.pk}/move-due/", {"move-due-due_date": "2001-01-01"})
    assert response.status_code == 400 and "is in the past" in response.content.decode()
    assert client.post(f"/commitments/{c.pk}/explode/").status_code == 404


def test_executive_cannot_act_on_someone_elses_commitment(client):
    other = CommitmentFactory()
    client.force_login(ExecutiveFactory().user)
    assert client.post(f"/commitments/{other.pk}/told/", {"told-told": "1"}).status_code == 404


def test_after_a_refused_bulk_action_the_form_still_returns_to_the_list(client):
    """The re-rendered list is served from /commitments/bulk/; its form must not point `next` there (405)."""
    a, b = (
        CommitmentFactory(due_date=TODAY() - timedelta(days=1)),
        CommitmentFactory(due_date=TODAY() - timedelta(days=3)),
    )
    client.force_login(AdminFactory())
    came_from = "/commitments/?overdue=1&sort=due"
    refused = client.post("/commitments/bulk/", {"ids": [a.pk, b.pk], "action": "done", "text": "", "next": came_from})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'name="next" value="/commitments/?overdue=1&amp;sort=due"' in html
    assert "/commitments/bulk/?" not in html
    again = client.post(
        "/commitments/bulk/",
        {"ids": [a.pk, b.pk], "action": "done", "text": "Credits issued", "next": "/commitments/?overdue=1&sort=due"},
        follow=True,
    )
    assert again.redirect_chain == [(came_from, 302)]
    assert again.status_code == 200 and "2 commitments marked done." in again.content.decode()


def test_the_list_form_returns_to_the_same_filters_and_page(client):
    make_commitments(60)
    client.force_login(AdminFactory())
    html = client.get("/commitments/?status=open&page=2").content.decode()
    assert 'name="next" value="/commitments/?status=open&amp;page=2"' in html


def test_bulk_drop_asks_for_confirmation_first(client):
    admin = AdminFactory()
    a, b = CommitmentFactory(promise="Refund the setup fee"), CommitmentFactory(promise="Call back on Friday")
    client.force_login(admin)
    fields = {"ids": [a.pk, b.pk], "action": "drop", "text": "Customer withdrew", "next": "/commitments/?status=open"}
    asked = client.post("/commitments/bulk/", fields)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Drop 2 commitments?" in html and "Refund the setup fee" in html and "Customer withdrew" in html
    assert 'name="confirm" value="1"' in html and 'href="/commitments/?status=open">Cancel' in html
    assert not Commitment.objects.filter(status="dropped").exists() and not CommitmentChange.objects.exists()

    done = client.post("/commitments/bulk/", {**fields, "confirm": "1"})
    assert done.status_code == 302 and done.url == "/commitments/?status=open"
    assert Commitment.objects.filter(status="dropped").count() == 2
    assert "2 commitments dropped." in client.get(done.url).content.decode()


def test_bulk_reassign_confirms_naming_the_new_owner_and_says_who_has_them(client):
    new_owner = UserFactory(roles=["Program admins"], first_name="Nora", last_name="Quist")
    a = CommitmentFactory()
    b = CommitmentFactory(owner=new_owner)
    client.force_login(AdminFactory())
    fields = {"ids": [a.pk, b.pk], "action": "reassign", "owner": new_owner.pk}
    html = client.post("/commitments/bulk/", fields).content.decode()
    assert "Give 1 commitment to Nora Quist?" in html and "already Nora Quist" in html
    assert Commitment.objects.get(pk=a.pk).owner_id != new_owner.pk
    response = client.post("/commitments/bulk/", {**fields, "confirm": "1"}, follow=True)
    assert "1 commitment reassigned to Nora Quist (1 already was)." in response.content.decode()
    assert Commitment.objects.get(pk=a.pk).owner_id == new_owner.pk


def test_confirmation_is_not_offered_for_what_would_be_refused(client):
    done = CommitmentFactory(status="done", completed_at=timezone.now(), resolution="x")
    client.force_login(AdminFactory())
    response = client.post("/commitments/bulk/", {"ids": [done.pk], "action": "drop", "text": "No longer relevant"})
    assert response.status_code == 400
    assert "Only open commitments can be dropped" in response.content.decode()
    assert 'id="bulk-confirm"' not in response.content.decode()


def test_the_other_bulk_messages_name_what_changed(client):
    a, b = CommitmentFactory(), CommitmentFactory()
    client.force_login(AdminFactory())
    new_due = TODAY() + timedelta(days=9)
    response = client.post(
        "/commitments/bulk/", {"ids": [a.pk, b.pk], "action": "move_due", "due_date": new_due.isoformat()}, follow=True
    )
    assert f"2 commitments now due {new_due.day} {new_due:%b %Y}." in response.content.decode()
    response = client.post("/commitments/bulk/", {"ids": [a.pk], "action": "told"}, follow=True)
    assert "1 commitment marked as told to the customer." in response.content.decode()


def test_the_customer_filter_is_a_search_box_not_a_list_of_every_customer(client):
    acme = CommitmentFactory(call__customer__name="Acme Freight")
    acme_too = CommitmentFactory(call__customer__name="Acme Rail")
    other = CommitmentFactory(call__customer__name="Borealis Shipping")
    client.force_login(AdminFactory())

    html = client.get("/commitments/").content.decode()
    assert other.customer.name not in html.split('id="bulk"')[0]  # no customer <option> in the filters
    assert 'name="customer_q"' in html

    # Typing a name filters by it and offers the matching customers, each narrowing to that one.
    response = client.get("/commitments/?customer_q=acme&status=open")
    assert ids_on_page(response) == {acme.pk, acme_too.pk}
    html = response.content.decode()
    assert f'href="?status=open&amp;customer={acme.customer_id}">Acme Freight</a>' in html
    assert f'href="?status=open&amp;customer={acme_too.customer_id}">Acme Rail</a>' in html

    # A chosen customer shows by name, with a way back to any customer.
    response = client.get(f"/commitments/?customer={acme.customer_id}&status=open")
    assert ids_on_page(response) == {acme.pk}
    html = response.content.decode()
    assert '<span class="form-control text-truncate" id="chosen-customer">Acme Freight</span>' in html
    assert f'<input type="hidden" name="customer" value="{acme.customer_id}">' in html
    assert 'href="?status=open" title="Any customer"' in html


def test_an_executive_cannot_filter_by_a_customer_outside_their_commitments(client):
    mine, theirs = CommitmentFactory(), CommitmentFactory(call__customer__name="Hidden Holdings")
    client.force_login(mine.call.executive.user)
    response = client.get(f"/commitments/?customer={theirs.customer_id}")
    assert response.status_code == 400
    assert f"customer: {theirs.customer_id} is not the id of a customer" in response.content.decode()
    # The search box finds only customers with a commitment the executive may see.
    response = client.get("/commitments/?customer_q=Hidden")
    assert ids_on_page(response) == set() and "Hidden Holdings" not in response.content.decode()


def test_filter_choices_list_only_people_with_commitments_in_scope(client):
    mine = CommitmentFactory()
    theirs = CommitmentFactory()
    client.force_login(mine.call.executive.user)
    form = client.get("/commitments/").context["form"]
    assert list(form.fields["executive"].queryset) == [mine.call.executive]
    assert list(form.fields["owner"].queryset) == [mine.owner]
    client.force_login(AdminFactory())
    form = client.get("/commitments/").context["form"]
    assert set(form.fields["executive"].queryset) == {mine.call.executive, theirs.call.executive}


def test_customer_search_text_is_bounded_and_a_nul_is_no_500(client):
    CommitmentFactory()
    client.force_login(AdminFactory())
    assert client.get("/commitments/?customer_q=a%00b").status_code == 200
    response = client.get("/commitments/?customer_q=" + "x" * 201)
    assert response.status_code == 400 and "customer_q: give at most 200 characters" in response.content.decode()


@pytest.mark.parametrize("customers", [3, 60])
def test_filter_form_does_not_grow_with_customers_and_queries_are_fixed(
    client, django_assert_max_num_queries, customers
):
    for _ in range(customers):
        CommitmentFactory()
    client.force_login(AdminFactory())
    with django_assert_max_num_queries(13):
        html = client.get("/commitments/?customer_q=Customer").content.decode()
    filters = html.split('id="filters"')[1].split("</form>")[0]
    # executives and owners: one each per commitment here (the factory's), never a customer list
    assert filters.count("<option") == (1 + customers) * 2 + 4 + len(SORT_LABELS)  # + statuses, sorts
