# The search index is derived data: drop the entry table and build it again with narrow display columns
# (long term columns last) and one SearchText row per language, then re-index every listed course.

import django.db.models.deletion
from django.db import migrations, models


def drop_fulltext(apps, schema_editor):
    from saksham.catalog.search import uninstall

    uninstall(schema_editor)


def rebuild(apps, schema_editor):
    from saksham.catalog.search import install, reindex_all

    install(schema_editor)
    if apps.get_model("catalog", "Course").objects.filter(live_version__isnull=False).exists():
        reindex_all()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_fulltext")]

    operations = [
        migrations.RunPython(drop_fulltext, migrations.RunPython.noop),
        migrations.DeleteModel(name="SearchEntry"),
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("family", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="search_entry", to="catalog.course")),
                ("provider", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                               to="catalog.provider")),
                ("kind", models.CharField(max_length=16)),
                ("languages", models.CharField(help_text="' en hi gu ': every language it can be read in",
                                               max_length=200)),
                ("competencies", models.TextField(blank=True, help_text="' CODE1 CODE2 '")),
                ("duration_minutes", models.PositiveIntegerField(default=0)),
                ("level", models.CharField(blank=True, max_length=16)),
                ("rating_avg", models.DecimalField(decimal_places=2, default=0, max_digits=3)),
                ("rating_count", models.PositiveIntegerField(default=0)),
                ("enrolment_count", models.PositiveIntegerField(default=0)),
                ("published_at", models.DateTimeField()),
                ("main_language", models.CharField(max_length=8)),
                ("main_course", models.CharField(help_text="public id of the course shown by default", max_length=36)),
                ("main_title", models.CharField(max_length=200)),
                ("main_summary", models.CharField(blank=True, max_length=500)),
                ("provider_ref", models.CharField(max_length=36)),
                ("provider_name", models.CharField(max_length=255)),
                ("provider_name_local", models.CharField(blank=True, max_length=255)),
                ("title_terms", models.TextField()),
                ("body_terms", models.TextField(blank=True)),
            ],
            options={
                "indexes": [models.Index(fields=["-published_at"], name="search_newest"),
                            models.Index(fields=["-enrolment_count"], name="search_popular"),
                            models.Index(fields=["provider", "kind"], name="search_provider_kind")],
            },
        ),
        migrations.CreateModel(
            name="SearchText",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=8)),
                ("course", models.CharField(max_length=36)),
                ("title", models.CharField(max_length=200)),
                ("summary", models.CharField(blank=True, max_length=500)),
                ("entry", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="texts",
                                            to="catalog.searchentry")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("entry", "language"),
                                                             name="search_text_unique")]},
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
