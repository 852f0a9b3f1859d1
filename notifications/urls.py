from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("calendar/<int:executive_id>/new-token/", views.calendar_token_rotate, name="calendar_token_rotate"),
    path("notifications/", views.preferences, name="preferences"),
]
