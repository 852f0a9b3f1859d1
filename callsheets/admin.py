from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from ceocalls.admin_actions import SavesThroughServices, action_with_text, run_each, sentence

from .builder import build_week
from .forms.policy import ScoringPolicyForm
from .models import CallLog, CallSheet, Commitment, CommitmentChange, Executive, ScoringPolicy, SheetEntry
from .services import calls as call_services
from .services import commitments as commitment_services


@admin.register(Executive)
class ExecutiveAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "title",
        "weekday",
        "start_time",
        "duration_minutes",
        "minutes_per_call",
        "timezone",
        "is_active",
    ]
    list_filter = ["is_active", "weekday", "timezone"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "title"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]


def _reasons_html(reasons) -> str:
    if not reasons:
        return "—"
    return format_html(
        "<ol style='margin:0;padding-left:1.2em;min-width:24em'>{}</ol>",
        format_html_join(
            "",
            "<li>{} <small>({}, {} pts)</small></li>",
            ((r.get("text"), r.get("code"), r.get("points", 0)) for r in reasons),
        ),
    )


class SheetEntryInline(admin.TabularInline):
    model = SheetEntry
    extra = 0
    # The build fills sheets; an entry is skipped or put back with the actions of "Sheet entries".
    fields = ["position", "customer", "contact", "score", "is_backup", "is_listening", "status", "flag", "why"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Reasons")
    def why(self, entry):
        return _reasons_html(entry.reasons)


@admin.register(CallSheet)
class CallSheetAdmin(admin.ModelAdmin):
    list_display = ["executive", "week_start", "slot_starts_at", "built_at"]
    list_filter = ["week_start", "executive"]
    search_fields = ["executive__user__email", "executive__user__last_name"]
    list_select_related = ["executive__user"]
    date_hierarchy = "week_start"
    inlines = [SheetEntryInline]
    # A sheet is written by the builder only: "Build next week now" and the rebuild action.
    readonly_fields = ["executive", "week_start", "slot_starts_at", "built_at", "inputs_display"]
    exclude = ["inputs"]
    actions = ["rebuild_week"]
    change_list_template = "admin/callsheets/callsheet/change_list.html"

    def get_urls(self):
        build = self.admin_site.admin_view(require_POST(self.build_next_week_view))
        return [path("build-next-week/", build, name="callsheets_callsheet_build_next_week"), *super().get_urls()]

    def has_build_permission(self, request) -> bool:
        return request.user.has_perm("callsheets.build_sheets")

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra = {"can_build": self.has_build_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def build_next_week_view(self, request):
        """The "Build next week now" button: next week's sheets for every executive, right away."""
        if not self.has_build_permission(request):
            raise PermissionDenied
        self._build(request, week=timezone.localdate() + timedelta(days=7))
        return redirect("admin:callsheets_callsheet_changelist")

    @admin.action(description="Rebuild this week (selected executives' sheets)", permissions=["build"])
    def rebuild_week(self, request, queryset):
        for sheet in queryset.select_related("executive__user").order_by("week_start", "executive_id"):
            self._build(request, week=sheet.week_start, executive=sheet.executive)

    def _build(self, request, **kwargs):
        try:
            result = build_week(**kwargs)
        except DatabaseError as exc:
            self.message_user(request, f"The build failed and changed nothing: {exc}", messages.ERROR)
            return
        for line in result.messages:
            self.message_user(request, line, messages.WARNING)
        self.message_user(request, result.summary_line(), messages.SUCCESS)

    @admin.display(description="Inputs of the build")
    def inputs_display(self, sheet):
        inputs = sheet.inputs or {}
        if not inputs:
            return "—"
        counts = inputs.get("counts", {})
        left_off = inputs.get("left_off", [])
        policy = inputs.get("policy", {})
        return format_html(
            "<p>Week of {}: capacity {} calls + {} backups.</p>"
            "<p>{} customers had a signal, {} of them could be called; quiet pool for listening calls: {}.</p>"
            "<details><summary><strong>Left off: {}</strong></summary>"
            "<table><tr><th>Customer</th><th>Why</th><th>Score</th></tr>{}</table>{}</details>"
            "<details><summary><strong>Policy used</strong></summary><table>{}</table></details>",
            inputs.get("week_start", ""),
            inputs.get("executive", {}).get("capacity", ""),
            inputs.get("executive", {}).get("backups", ""),
            counts.get("customers_with_signals", 0),
            counts.get("callable_candidates", 0),
            counts.get("quiet_pool", 0),
            ", ".join(f"{n} {code.replace('_', ' ')}" for code, n in counts.get("left_off", {}).items()) or "none",
            format_html_join(
                "",
                "<tr><td><a href='/customers/{}/'>{}</a> ({})</td><td>{}</td><td>{}</td></tr>",
                ((s["customer_id"], s["customer"], s["customer_external_id"], s["text"], s["score"]) for s in left_off),
            ),
            format_html("<p>… and {} more.</p>", inputs["left_off_truncated"])
            if inputs.get("left_off_truncated")
            else "",
            format_html_join(
                "", "<tr><th>{}</th><td>{}</td></tr>", ((k.replace("_", " "), v) for k, v in policy.items())
            ),
        )


@admin.register(SheetEntry)
class SheetEntryAdmin(admin.ModelAdmin):
    list_display = ["sheet", "position", "customer", "score", "is_backup", "is_listening", "status"]
    list_filter = ["is_backup", "is_listening", "status", "week_start"]
    search_fields = ["customer__name"]
    list_select_related = ["sheet__executive__user", "customer"]
    # Written by the builder and the call services; skipping and putting back are the actions.
    readonly_fields = [
        "sheet",
        "week_start",
        "customer",
        "contact",
        "position",
        "score",
        "reasons",
        "signals",
        "is_backup",
        "is_listening",
        "flag",
        "status",
    ]
    actions = ["skip", "put_back"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Skip (a pending backup moves up)", permissions=["change"])
    def skip(self, request, queryset):
        run_each(self, request, queryset, lambda e: call_services.entry_skip(entry_id=e.pk, by=request.user), "skipped")

    @admin.action(description="Put back on the sheet", permissions=["change"])
    def put_back(self, request, queryset):
        run_each(
            self, request, queryset, lambda e: call_services.entry_unskip(entry_id=e.pk, by=request.user), "put back"
        )


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


@admin.register(CallLog)
class CallLogAdmin(SavesThroughServices, admin.ModelAdmin):
    list_display = ["customer", "executive", "called_at", "outcome", "duration_minutes", "sentiment"]
    list_filter = ["outcome", "sentiment", "executive"]
    search_fields = ["customer__name", "notes"]
    list_select_related = ["customer", "executive__user"]
    date_hierarchy = "called_at"
    inlines = [CommitmentInline]
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

    def save_model(self, request, obj, form, change):
        if not form.changed_data:
            return
        data = form.cleaned_data
        call_services.call_correct(
            call_id=obj.pk,
            by=request.user,
            outcome=data["outcome"],
            duration_minutes=data["duration_minutes"],
            notes=data["notes"],
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


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_active",
        "ticket_window_days",
        "survey_window_days",
        "cooldown_days",
        "backups",
        "listening_calls",
        "updated_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    readonly_fields = ["updated_at", "updated_by"]
    form = ScoringPolicyForm

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
