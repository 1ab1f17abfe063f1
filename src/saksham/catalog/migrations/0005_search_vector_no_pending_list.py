# PostgreSQL: the search vector's GIN index without a pending list (fastupdate = off), its pending entries
# moved into the index. Nothing changes on SQLite.

from django.db import migrations


def forwards(apps, schema_editor):
    from saksham.catalog.search import install

    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_vector_column")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
