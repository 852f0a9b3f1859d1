"""Creates the three role groups of CONTRACT §2 with their permissions.

Permissions are normally created after all migrations run; they are created here first so
that a fresh database gets complete groups in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_CUSTOMERS = [
    "customers.view_customer",
    "customers.view_contact",
    "customers.view_supportticket",
    "customers.view_surveyresponse",
    "customers.view_flag",
]

ROLES = {
    "Executives": VIEW_CUSTOMERS
    + [
        "callsheets.view_callsheet",
        "callsheets.view_sheetentry",
        "callsheets.view_calllog",
        "callsheets.add_calllog",
        "callsheets.change_calllog",
        "callsheets.view_commitment",
        "callsheets.add_commitment",
        "callsheets.change_commitment",
    ],
    "Support leads": VIEW_CUSTOMERS + ["customers.add_flag", "customers.change_flag"],
    "Program admins": VIEW_CUSTOMERS
    + [
        "customers.add_customer",
        "customers.change_customer",
        "customers.add_contact",
        "customers.change_contact",
        "customers.add_supportticket",
        "customers.change_supportticket",
        "customers.add_surveyresponse",
        "customers.change_surveyresponse",
        "customers.add_flag",
        "customers.change_flag",
        "callsheets.view_executive",
        "callsheets.add_executive",
        "callsheets.change_executive",
        "callsheets.view_callsheet",
        "callsheets.change_callsheet",
        "callsheets.view_all_sheets",
        "callsheets.build_sheets",
        "callsheets.view_sheetentry",
        "callsheets.change_sheetentry",
        "callsheets.view_calllog",
        "callsheets.change_calllog",
        "callsheets.view_commitment",
        "callsheets.change_commitment",
        "callsheets.view_all_commitments",
        "callsheets.view_commitmentchange",
        "callsheets.view_scoringpolicy",
        "callsheets.change_scoringpolicy",
    ],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = []
        for code in codes:
            app_label, codename = code.split(".")
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*perms)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("callsheets", "0002_initial"),
        ("customers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
