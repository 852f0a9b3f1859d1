from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from ceocalls.admin_actions import run_each

from . import (
    admin_calls,  # noqa: F401 - registers calls, commitments and their history
    admin_topics,  # noqa: F401 - registers topics and follow-ups
)
from .forms.policy import ScoringPolicyForm
from .models import BuildRun, CallSheet, Executive, ScoringPolicy, SheetEntry, UrgentCall
from .services import calls as call_services
from .services.builds import build_run_outcome, build_run_request


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
        '<ol class="reasons-list">{}</ol>',  # static/css/admin.css
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

    def _build(self, request, *, week, executive=None):
        """Recorded as a build run like every other door (the program page, the command, beat), so
        it shows under Build runs, is swept when the queue was down, and fails in words."""
        run = build_run_request(week=week, executive=executive, by=request.user, origin=BuildRun.Origin.ADMIN)
        run.refresh_from_db()
        level, text = build_run_outcome(run)
        self.message_user(request, text, level)

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
            f"about {counts.get('quiet_pool', 0):,}"
            if counts.get("quiet_pool_estimated")
            else counts.get("quiet_pool", 0),
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
        "urgent_placed_at",
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


@admin.register(UrgentCall)
class UrgentCallAdmin(admin.ModelAdmin):
    """Urgent calls outside the slot (callsheets.services.urgent): read-only; the executive logs and
    acknowledges them on the sheet."""

    list_display = ["customer", "executive", "deadline", "acknowledged_at", "call", "admins_told_at"]
    list_filter = ["executive"]
    search_fields = ["customer__name"]
    list_select_related = ["customer", "executive__user", "call"]
    readonly_fields = [
        "flag",
        "executive",
        "customer",
        "contact",
        "deadline",
        "created_at",
        "acknowledged_at",
        "acknowledged_by",
        "call",
        "admins_told_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
