from django.urls import path

from .views import commitments as views

app_name = "commitments"

urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("bulk/", views.commitment_bulk, name="bulk"),
    path("<int:pk>/", views.commitment_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.commitment_action, name="action"),
]
