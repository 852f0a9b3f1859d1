from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(**kwargs):
    from ceocalls.roles import sync_role_groups

    sync_role_groups()


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "imports"
    verbose_name = "Imports and webhooks"

    def ready(self):
        # Our permissions are created in this app's own post_migrate, after callsheets' role sync ran.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="imports.sync_roles")
