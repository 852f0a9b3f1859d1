from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("imports/", views.run_list, name="list"),
    path("imports/<int:pk>/", views.run_detail, name="detail"),
    path("imports/<int:pk>/confirm/", views.run_confirm, name="confirm"),
    path("imports/<int:pk>/left-out.csv", views.run_left_out, name="left_out"),
    path("imports/samples/<str:name>", views.sample_file, name="sample"),
    path("api/webhooks/tickets/", views.tickets_webhook, name="tickets_webhook"),
    path("api/webhooks/surveys/", views.surveys_webhook, name="surveys_webhook"),
]
