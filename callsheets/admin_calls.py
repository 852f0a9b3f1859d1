"""Calls and commitments in the Django admin: corrected and changed only through their services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from ceocalls.admin_actions import SavesThroughServices, action_with_text, sentence
from ceocalls.roles import is_program_admin

from .models import CallLog, Commitment, CommitmentChange, call_notes_readable
from .services import calls as call_services
from .services import commitments as commitment_services


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    # Promises are added on the sheet's card and changed on their own page, where history is kept.
    fields = ["promise", "owner", "due_date", "status", "customer_told", "resolution"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CallLogAdminForm(forms.ModelForm):
    """Each refusal of call_correct (text limits, a duration out of range) beside its field, with
    what was typed kept; a refusal that still comes from the service is a message (SavesThroughServices)."""

    class Meta:
        model = CallLog
        fields = ["outcome", "duration_minutes", "sentiment", "notes", "notes_private"]

    def clean(self):
        data = super().clean()
        errors = call_services.call_correct_errors(
            self.instance,
            outcome=data.get("outcome", self.instance.outcome),
            duration_minutes=data.get("duration_minutes"),
            notes=data.get("notes", self.instance.notes),
            sentiment=data.get("sentiment", ""),
        )
        for field, refusal in errors.items():
            self.add_error(field if field in self.fields else None, refusal)
        return data

    def _post_clean(self):
        # The service checks the values; the model's own constraints (duration) would only repeat them.
        if not self.errors:
            super()._post_clean()


@admin.register(CallLog)
class CallLogAdmin(SavesThroughServices, admin.ModelAdmin):
    list_display = ["customer", "executive", "called_at", "outcome", "duration_minutes", "sentiment", "notes_private"]
    list_filter = ["outcome", "sentiment", "notes_private", "executive"]
    search_fields = ["customer__name", "notes"]
    list_select_related = ["customer", "executive__user"]
    date_hierarchy = "called_at"
    inlines = [CommitmentInline]
    form = CallLogAdminForm
    # Calls are logged on the sheet; here they are corrected through call_correct, as on the card.
    fields = [
        "entry",
        "executive",
        "customer",
        "contact",
        "called_at",
        "outcome",
        "duration_minutes",
        "sentiment",
        "notes",
        "notes_private",
        "logged_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "entry",
        "executive",
        "customer",
        "contact",
        "called_at",
        "logged_by",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    # Staff are program admins (they read every note); a staff user without that role reads notes
    # by the same rule as the pages (call_notes_readable), and does not search them.
    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not call_notes_readable(obj, request.user):
            return [f for f in fields if f not in ("notes", "notes_private")]
        return fields

    def get_search_fields(self, request):
        return self.search_fields if is_program_admin(request.user) else ["customer__name"]

    def save_model(self, request, obj, form, change):
        if not form.changed_data:
            return
        data = form.cleaned_data
        call_services.call_correct(
            call_id=obj.pk,
            by=request.user,
            outcome=data["outcome"],
            duration_minutes=data["duration_minutes"],
            notes=data.get("notes", obj.notes),
            notes_private=data.get("notes_private"),
            sentiment=data["sentiment"],
        )


class CommitmentChangeInline(admin.TabularInline):
    model = CommitmentChange
    extra = 0
    readonly_fields = ["at", "by", "field", "old", "new", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CommitmentAdminForm(forms.ModelForm):
    """The words, owner and due date; each refusal of commitment_update is shown beside its field."""

    class Meta:
        model = Commitment
        fields = ["promise", "owner", "due_date"]

    def clean(self):
        data = super().clean()
        errors = commitment_services.commitment_update_errors(
            self.instance, promise=data.get("promise"), owner=data.get("owner"), due_date=data.get("due_date")
        )
        for field, refusal in errors.items():
            self.add_error(field, refusal)
        return data


@admin.register(Commitment)
class CommitmentAdmin(SavesThroughServices, admin.ModelAdmin):
    list_display = ["promise", "customer", "owner", "due_date", "status", "customer_told"]
    list_filter = ["status", "customer_told", "due_date"]
    search_fields = ["promise", "customer__name", "owner__email"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["owner"]
    inlines = [CommitmentChangeInline]
    form = CommitmentAdminForm
    # Status, resolution and "told" change only through the actions, which call the same services
    # as /commitments/ and record each change; promise, owner and due date save through commitment_update.
    fields = [
        "call",
        "customer",
        "promise",
        "owner",
        "due_date",
        "status",
        "resolution",
        "completed_at",
        "customer_told",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "call",
        "customer",
        "status",
        "resolution",
        "completed_at",
        "customer_told",
        "created_at",
        "updated_at",
    ]
    actions = ["mark_done", "drop", "mark_told", "mark_not_told"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if not form.changed_data:
            return
        commitment_services.commitment_update(
            commitment_id=obj.pk,
            by=request.user,
            promise=form.cleaned_data["promise"],
            owner=form.cleaned_data["owner"],
            due_date=form.cleaned_data["due_date"],
            note="Changed in the admin.",
        )

    @admin.action(description="Mark done… (asks what was done)", permissions=["change"])
    def mark_done(self, request, queryset):
        def run(ids, text):
            done = commitment_services.commitment_bulk_complete(commitment_ids=ids, by=request.user, resolution=text)
            return f"{len(done)} commitment{'s'[: len(done) != 1]} marked done."

        return action_with_text(
            self,
            request,
            queryset,
            action="mark_done",
            title="Mark these commitments done",
            label="What was done",
            button="Mark done",
            run=run,
        )

    @admin.action(description="Drop… (asks why)", permissions=["change"])
    def drop(self, request, queryset):
        def run(ids, text):
            dropped = commitment_services.commitment_bulk_drop(commitment_ids=ids, by=request.user, reason=text)
            return f"{len(dropped)} commitment{'s'[: len(dropped) != 1]} dropped."

        return action_with_text(
            self,
            request,
            queryset,
            action="drop",
            title="Drop these commitments",
            label="Why they are dropped",
            button="Drop",
            run=run,
            help="Dropped promises are closed for good; the reason is kept in each one's history.",
        )

    @admin.action(description="The customer was told of the result", permissions=["change"])
    def mark_told(self, request, queryset):
        self._told(request, queryset, True)

    @admin.action(description="The customer was not told yet", permissions=["change"])
    def mark_not_told(self, request, queryset):
        self._told(request, queryset, False)

    def _told(self, request, queryset, told: bool):
        ids = list(queryset.values_list("pk", flat=True))
        try:
            changed = commitment_services.commitment_bulk_mark_told(commitment_ids=ids, by=request.user, told=told)
        except ValidationError as exc:
            self.message_user(request, sentence(exc), messages.ERROR)
            return
        what = "told of the result" if told else "not yet told"
        self.message_user(request, f"{len(changed)} of {len(ids)} commitments changed to: customer {what}.")


@admin.register(CommitmentChange)
class CommitmentChangeAdmin(admin.ModelAdmin):
    """The history is written by the services only; here it is read."""

    list_display = ["commitment", "field", "old", "new", "by", "at"]
    list_filter = ["field"]
    search_fields = ["commitment__promise", "note"]
    list_select_related = ["commitment", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
