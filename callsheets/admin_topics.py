"""Topics (edited here by program admins) and the follow-up e-mails sent after calls (read-only)."""

from django.contrib import admin

from .models import CallFollowUp, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "keywords", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "keywords"]


@admin.register(CallFollowUp)
class CallFollowUpAdmin(admin.ModelAdmin):
    """What was sent to a customer stays as it was sent: written only by follow_up_send."""

    list_display = ["call", "to", "subject", "status", "sent_by", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["call__customer", "call__executive__user", "sent_by"]
    search_fields = ["to", "subject", "call__customer__name"]
    readonly_fields = [f.name for f in CallFollowUp._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
