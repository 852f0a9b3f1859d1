from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def _sync_roles(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    from django.contrib.auth.management import create_permissions

    from ceocalls.roles import sync_role_groups

    # Every app's permissions first: auth creates them app by app in the same signal, and apps listed
    # after this one (notifications) would otherwise have none yet, so a fresh database (and every test
    # database after a flush) left program admins without them until the next `migrate`.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_groups()


class CallsheetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "callsheets"

    def ready(self):
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="callsheets.sync_roles")
        from . import admin_builds  # noqa: F401 - BuildRun's admin, beside admin.py
