from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callsheets.models import Commitment, CommitmentChange
from callsheets.services import commitments as services
from tests.factories import AdminFactory, CommitmentFactory, ExecutiveFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_complete_records_who_when_and_from_to():
    admin = AdminFactory()
    c = CommitmentFactory()
    services.commitment_complete(commitment_id=c.pk, by=admin, resolution="Credit note CN-12 sent")
    c.refresh_from_db()
    assert c.status == "done" and c.resolution == "Credit note CN-12 sent" and c.completed_at
    changes = {ch.field: ch for ch in CommitmentChange.objects.filter(commitment=c)}
    assert (changes["status"].old, changes["status"].new, changes["status"].by) == ("open", "done", admin)
    assert changes["resolution"].new == "Credit note CN-12 sent"


def test_complete_twice_is_refused_and_changes_nothing():
    admin = AdminFactory()
    c = CommitmentFactory()
    services.commitment_complete(commitment_id=c.pk, by=admin, resolution="Done")
    with pytest.raises(ValidationError, match="Only open commitments can be marked done"):
        services.commitment_complete(commitment_id=c.pk, by=admin, resolution="Again")
    assert CommitmentChange.objects.filter(commitment=c, field="status").count() == 1


def test_complete_needs_a_resolution():
    with pytest.raises(ValidationError, match="Say what was done"):
        services.commitment_complete(commitment_id=CommitmentFactory().pk, by=AdminFactory(), resolution="  ")


def test_bulk_is_all_or_nothing():
    admin = AdminFactory()
    open_one, done_one = CommitmentFactory(), CommitmentFactory()
    services.commitment_complete(commitment_id=done_one.pk, by=admin, resolution="x")
    with pytest.raises(ValidationError, match=rf"#{done_one.pk} .*\(done\).*Nothing was changed"):
        services.commitment_bulk_drop(commitment_ids=[open_one.pk, done_one.pk], by=admin, reason="No budget")
    open_one.refresh_from_db()
    assert open_one.status == "open"
    assert not CommitmentChange.objects.filter(commitment=open_one).exists()


def test_drop_keeps_the_reason():
    admin = AdminFactory()
    c = CommitmentFactory()
    services.commitment_drop(commitment_id=c.pk, by=admin, reason="Customer withdrew the request")
    c.refresh_from_db()
    assert c.status == "dropped" and c.resolution == "Customer withdrew the request" and c.completed_at


def test_reassign_move_and_tell_are_recorded():
    admin = AdminFactory()
    new_owner = UserFactory(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    c = CommitmentFactory()
    old_label = services.user_label(c.owner)
    services.commitment_reassign(commitment_id=c.pk, by=admin, owner=new_owner, note="Ada runs billing")
    new_due = timezone.localdate() + timedelta(days=30)
    services.commitment_move_due(commitment_id=c.pk, by=admin, due_date=new_due)
    services.commitment_mark_told(commitment_id=c.pk, by=admin, told=True)
    c.refresh_from_db()
    assert c.owner == new_owner and c.due_date == new_due and c.customer_told
    rows = {ch.field: (ch.old, ch.new, ch.note) for ch in c.changes.all()}
    assert rows["owner"] == (old_label, "Ada Lovelace <ada@example.com>", "Ada runs billing")
    assert rows["due_date"][1] == new_due.isoformat()
    assert rows["customer_told"][:2] == ("no", "yes")


def test_move_into_the_past_is_refused():
    with pytest.raises(ValidationError, match="in the past"):
        services.commitment_move_due(
            commitment_id=CommitmentFactory().pk, by=AdminFactory(), due_date=timezone.localdate() - timedelta(days=1)
        )


def test_an_executive_cannot_change_another_executives_promise():
    mine, theirs = CommitmentFactory(), CommitmentFactory()
    me = mine.call.executive.user
    with pytest.raises(ValidationError, match="not yours to change"):
        services.commitment_bulk_complete(commitment_ids=[mine.pk, theirs.pk], by=me, resolution="x")
    services.commitment_complete(commitment_id=mine.pk, by=me, resolution="Sent")
    assert Commitment.objects.get(pk=mine.pk).status == "done"


def test_an_owner_can_close_what_they_own():
    owner = UserFactory()
    c = CommitmentFactory(owner=owner, call__executive=ExecutiveFactory())
    services.commitment_complete(commitment_id=c.pk, by=owner, resolution="Fixed")
    assert Commitment.objects.get(pk=c.pk).status == "done"


def test_bulk_of_twenty_writes_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    admin = AdminFactory()
    ids = [CommitmentFactory().pk for _ in range(20)]
    admin = type(admin).objects.get(pk=admin.pk)
    admin.has_perm("callsheets.view_all_commitments")  # warm the permission cache, as a request would
    with django_assert_max_num_queries(8):
        services.commitment_bulk_complete(commitment_ids=ids, by=admin, resolution="Batch closed")
    assert Commitment.objects.filter(status="done").count() == 20
    assert CommitmentChange.objects.filter(field="status").count() == 20
