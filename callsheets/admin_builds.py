"""Build runs in the Django admin: read-only, like the import runs; a build is asked for on /program/."""

from django.contrib import admin

from .models import BuildRun


@admin.register(BuildRun)
class BuildRunAdmin(admin.ModelAdmin):
    list_display = ["week_start", "for_label", "origin", "requested_by", "state", "queued_at", "finished_at"]
    list_filter = ["state", "origin"]
    date_hierarchy = "queued_at"
    list_select_related = ["requested_by"]
    readonly_fields = [f.name for f in BuildRun._meta.fields]

    @admin.display(description="For")
    def for_label(self, run):
        return run.for_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
