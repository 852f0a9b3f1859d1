from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from ceocalls.roles import sync_role_groups

    sync_role_groups()


class CallsheetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "callsheets"

    def ready(self):
        # After the permissions exist (auth's own post_migrate handler runs first: it is installed earlier).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="callsheets.sync_roles")
        from . import admin_builds  # noqa: F401 - BuildRun's admin, beside admin.py
