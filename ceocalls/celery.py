import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceocalls.settings")

app = Celery("ceocalls")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
