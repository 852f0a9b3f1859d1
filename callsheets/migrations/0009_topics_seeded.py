from django.db import migrations

from callsheets.models_topics import topics_seed_defaults


def seed_topics(apps, schema_editor):
    topics_seed_defaults(apps.get_model("callsheets", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("callsheets", "0008_call_follow_ups_and_topics")]

    operations = [migrations.RunPython(seed_topics, migrations.RunPython.noop)]
