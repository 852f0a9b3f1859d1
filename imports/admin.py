from django.contrib import admin, messages

from .models import ImportRun, WebhookEvent
from .services.webhooks import webhook_event_apply


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ["id", "source", "event_type", "status", "received_at", "applied_at", "attempts", "short_error"]
    list_filter = ["status", "source"]
    search_fields = ["idempotency_key", "body", "error"]
    date_hierarchy = "received_at"
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = ["reapply"]
    show_full_result_count = False

    @admin.display(description="Error")
    def short_error(self, obj):
        return obj.error[:100]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Apply selected pending or failed events again", permissions=["change"])
    def reapply(self, request, queryset):
        applied = failed = skipped = 0
        for pk in queryset.exclude(status=WebhookEvent.Status.APPLIED).values_list("pk", flat=True):
            event = webhook_event_apply(event_id=pk, retry_failed=True)
            if event is None:
                skipped += 1
            elif event.status == WebhookEvent.Status.APPLIED:
                applied += 1
            else:
                failed += 1
        level = messages.WARNING if failed else messages.SUCCESS
        self.message_user(
            request, f"Applied {applied}; still failing {failed}; skipped {skipped} (busy or already applied).", level
        )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "original_name",
        "kind",
        "status",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["original_name"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False
