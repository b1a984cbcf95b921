"""The database cache table ``poc_cache``: login lockout counts when Redis is not configured."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor) -> None:
    call_command("createcachetable", "poc_cache", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name('poc_cache')}")


class Migration(migrations.Migration):
    dependencies = [("poc", "0002_orgunit_changes")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
