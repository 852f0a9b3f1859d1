from django.urls import path

from .views import program, program_admin, topics

app_name = "program"

urlpatterns = [
    path("", program.program_page, name="page"),
    path("topics/", topics.topics_page, name="topics"),
    path("build/", program_admin.build, name="build"),
    path("build/status/", program_admin.build_status, name="build_status"),
    path("policy/", program_admin.policy_edit, name="policy"),
    path("policy/survey-line/", program_admin.policy_survey_preview, name="policy_survey_preview"),
    path("executives/", program_admin.executive_list, name="executives"),
    path("executives/<int:pk>/", program_admin.executive_slot, name="executive_slot"),
]
