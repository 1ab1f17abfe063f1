# PostgreSQL: rank from a stored tsvector column (GIN-indexed) instead of an expression index, whose
# vector had to be rebuilt for every matching row. Nothing changes on SQLite.

from django.db import migrations


def forwards(apps, schema_editor):
    from saksham.catalog.search import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_rows")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
