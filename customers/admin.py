from django.contrib import admin

from .models import Contact, Customer, Flag, FlagNote, SupportTicket, SurveyResponse


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "email", "phone", "timezone", "is_primary", "do_not_call"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "external_id", "domain", "tier", "annual_revenue", "timezone", "lifecycle_status"]
    list_filter = ["tier", "lifecycle_status"]
    search_fields = ["name", "external_id", "domain", "contacts__email"]
    inlines = [ContactInline]
    show_full_result_count = False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "title", "email", "phone", "is_primary", "do_not_call"]
    list_filter = ["is_primary", "do_not_call"]
    search_fields = ["name", "email", "phone", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "subject",
        "customer",
        "source",
        "status",
        "priority",
        "escalated",
        "reopen_count",
        "created_at",
    ]
    list_filter = ["source", "status", "priority", "escalated", "satisfaction"]
    search_fields = ["external_id", "subject", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer", "requester"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(admin.ModelAdmin):
    list_display = ["external_id", "customer", "kind", "score", "short_comment", "responded_at", "source"]
    list_filter = ["kind", "source", "score"]
    search_fields = ["external_id", "comment", "customer__name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer", "contact"]
    date_hierarchy = "responded_at"

    @admin.display(description="Comment")
    def short_comment(self, obj):
        return obj.comment[:80]


class FlagNoteInline(admin.TabularInline):
    model = FlagNote
    extra = 0
    fields = ["author", "text", "made_urgent", "created_at"]
    raw_id_fields = ["author"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    inlines = [FlagNoteInline]
    list_display = ["customer", "urgency", "status", "origin", "raised_by", "created_at", "not_placed_reason"]
    list_filter = ["status", "urgency", "origin"]
    search_fields = ["customer__name", "reason"]
    list_select_related = ["customer", "raised_by"]
    autocomplete_fields = ["customer", "ticket", "contact", "raised_by", "dismissed_by"]
    raw_id_fields = ["sheet", "call"]
    readonly_fields = ["created_at", "updated_at", "scheduled_at", "called_at", "closed_at", "lead_notified_at"]


@admin.register(FlagNote)
class FlagNoteAdmin(admin.ModelAdmin):
    list_display = ["flag", "author", "made_urgent", "created_at"]
    list_filter = ["made_urgent"]
    search_fields = ["text", "flag__customer__name"]
    list_select_related = ["flag__customer", "author"]
    raw_id_fields = ["flag", "author"]
