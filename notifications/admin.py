from django.contrib import admin

from .models import EmailDelivery, NotificationPreference


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "to", "period_key", "status", "attempts", "claimed_at", "sent_at"]
    list_filter = ["kind", "status"]
    search_fields = ["to", "period_key", "subject"]
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]
    show_full_result_count = False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "weekly_briefing", "overdue_digest", "program_weekly", "flag_outcome", "updated_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
