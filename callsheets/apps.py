from django.apps import AppConfig


class CallsheetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "callsheets"
