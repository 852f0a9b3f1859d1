from django.contrib import admin

from .models import CallLog, CallSheet, Commitment, CommitmentChange, Executive, ScoringPolicy, SheetEntry


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


class SheetEntryInline(admin.TabularInline):
    model = SheetEntry
    extra = 0
    fields = ["position", "customer", "contact", "score", "is_backup", "is_listening", "status", "flag"]
    raw_id_fields = ["customer", "contact", "flag"]


@admin.register(CallSheet)
class CallSheetAdmin(admin.ModelAdmin):
    list_display = ["executive", "week_start", "slot_starts_at", "built_at"]
    list_filter = ["week_start", "executive"]
    search_fields = ["executive__user__email", "executive__user__last_name"]
    list_select_related = ["executive__user"]
    date_hierarchy = "week_start"
    inlines = [SheetEntryInline]


@admin.register(SheetEntry)
class SheetEntryAdmin(admin.ModelAdmin):
    list_display = ["sheet", "position", "customer", "score", "is_backup", "is_listening", "status"]
    list_filter = ["is_backup", "is_listening", "status", "week_start"]
    search_fields = ["customer__name"]
    list_select_related = ["sheet__executive__user", "customer"]
    raw_id_fields = ["sheet", "customer", "contact", "flag"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["promise", "owner", "due_date", "status", "customer_told", "resolution"]
    raw_id_fields = ["owner"]


@admin.register(CallLog)
class CallLogAdmin(admin.ModelAdmin):
    list_display = ["customer", "executive", "called_at", "outcome", "duration_minutes", "sentiment"]
    list_filter = ["outcome", "sentiment", "executive"]
    search_fields = ["customer__name", "notes"]
    list_select_related = ["customer", "executive__user"]
    raw_id_fields = ["entry", "customer", "contact", "logged_by"]
    date_hierarchy = "called_at"
    inlines = [CommitmentInline]


class CommitmentChangeInline(admin.TabularInline):
    model = CommitmentChange
    extra = 0
    readonly_fields = ["at", "by", "field", "old", "new", "note"]
    can_delete = False


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["promise", "customer", "owner", "due_date", "status", "customer_told"]
    list_filter = ["status", "customer_told", "due_date"]
    search_fields = ["promise", "customer__name", "owner__email"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["call", "customer", "owner"]
    inlines = [CommitmentChangeInline]


@admin.register(CommitmentChange)
class CommitmentChangeAdmin(admin.ModelAdmin):
    list_display = ["commitment", "field", "old", "new", "by", "at"]
    list_filter = ["field"]
    search_fields = ["commitment__promise", "note"]
    list_select_related = ["commitment", "by"]
    raw_id_fields = ["commitment", "by"]


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
