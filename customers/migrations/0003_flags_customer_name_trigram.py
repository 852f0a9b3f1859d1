"""A trigram index so /customers/ can find a word inside a name on 100,000 customers.

Django's `name__icontains` is `UPPER(name::text) LIKE UPPER('%…%')` on PostgreSQL; a GIN
trigram index on that expression answers it without scanning the table. SQLite has no such
index and needs none at its sizes, so this migration does nothing there.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS customer_name_trgm_idx ON customers_customer USING gin (UPPER(name::text) gin_trgm_ops)"
)
DROP = "DROP INDEX IF EXISTS customer_name_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_flags_notes")]

    operations = [migrations.RunPython(create_index, drop_index)]
