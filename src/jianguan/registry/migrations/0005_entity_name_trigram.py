"""A trigram index on the entity name (PostgreSQL only) for "name contains" searches.

The public portal and the staff roster search by a part of the name (LIKE '%…%'), which a btree
cannot serve; pg_trgm's GIN index can (3 characters or more; Chinese characters count as word
characters under the UTF-8 locales). SQLite has no such index and scans, which is fine at its
sizes. Creating the extension needs the right to do so (a superuser or the database owner on
PostgreSQL 13+, where pg_trgm is a trusted extension).
"""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS registry_entity_name_trgm "
        "ON registry_entity USING gin (name gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS registry_entity_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_hot_risk_class"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
