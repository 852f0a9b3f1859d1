"""Two namespaces from one module: "customers" for /customers/, "flags" for /flags/ (ceocalls/urls.py)."""

from django.urls import path

from . import views

customer_patterns = (
    [
        path("", views.customer_list, name="list"),
        path("<int:pk>/", views.customer_detail, name="detail"),
        path("<int:pk>/outlook/", views.customer_outlook, name="outlook"),
    ],
    "customers",
)

flag_patterns = (
    [
        path("", views.flag_list, name="list"),
        path("new/", views.flag_new, name="new"),
        path("<int:pk>/", views.flag_detail, name="detail"),
        path("<int:pk>/notes/", views.flag_add_note, name="add_note"),
        path("<int:pk>/dismiss/", views.flag_dismiss, name="dismiss"),
        path("<int:pk>/contact/", views.flag_add_contact, name="add_contact"),
        path("<int:pk>/place/", views.flag_place, name="place"),
        path("<int:pk>/urgent-call/hand-over/", views.flag_urgent_hand_over, name="urgent_hand_over"),
    ],
    "flags",
)
