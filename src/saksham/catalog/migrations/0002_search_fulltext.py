from django.db import migrations


def forwards(apps, schema_editor):
    from saksham.catalog.search import install

    install(schema_editor)


def backwards(apps, schema_editor):
    from saksham.catalog.search import uninstall

    uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
