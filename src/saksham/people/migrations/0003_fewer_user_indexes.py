import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

# The index Django made for the org foreign key (same name on SQLite and PostgreSQL). It is dropped
# by name rather than with AlterField, which on SQLite would copy the whole people table.
ORG_FK_INDEX = "people_user_org_id_3aea0a9f"


class Migration(migrations.Migration):
    """Two indexes of people_user that others cover, each one more b-tree to update per person written:
    the org foreign key's (covered by (org, id)) and employee_code's (the unique (org, employee_code)
    index now leads with employee_code, so it serves lookups by the code alone)."""

    dependencies = [
        ('orgs', '0001_initial'),
        ('people', '0002_notifications_groups'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='user',
                    name='org',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='people', to='orgs.org'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{ORG_FK_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{ORG_FK_INDEX}" ON "people_user" ("org_id")',
                ),
            ],
        ),
        migrations.RemoveIndex(
            model_name='user',
            name='user_employee_code',
        ),
        migrations.RemoveConstraint(
            model_name='user',
            name='employee_code_unique_per_org',
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(condition=Q(employee_code__isnull=False),
                                               fields=('employee_code', 'org'), name='employee_code_unique_per_org'),
        ),
    ]
