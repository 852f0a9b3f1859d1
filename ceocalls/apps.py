from django.apps import AppConfig


class CeoCallsConfig(AppConfig):
    name = "ceocalls"
    verbose_name = "CEO Calls"

    def ready(self):
        from . import checks, middleware  # noqa: F401  (registers the system check and the sign-in receiver)
