from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from customers.urls import customer_patterns, flag_patterns

from . import views
from .forms import EmailAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("customers/", include(customer_patterns)),
    path("flags/", include(flag_patterns)),
    path("admin/", admin.site.urls),
    path("", include("imports.urls")),
    path("commitments/", include("callsheets.urls_commitments")),
    path("program/", include("callsheets.urls_program")),
    path("", include("callsheets.urls")),
    path("", include("notifications.urls")),
]

admin.site.site_header = "CEO Calls administration"
admin.site.site_title = "CEO Calls"
