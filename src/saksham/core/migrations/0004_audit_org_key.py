"""Entries get the key of the org they belong to, so an admin reads her subtree's log. Existing entries: a person's
or an org's from the target, the others from the actor's org."""

import uuid

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    entry = apps.get_model("core", "AuditEntry")
    user = apps.get_model("people", "User")
    org = apps.get_model("orgs", "Org")
    for label, model in (("people.user", user), ("orgs.org", org)):
        pending = entry.objects.filter(org_key__isnull=True, target_type=label)
        last = 0
        while True:
            batch = list(pending.filter(pk__gt=last).order_by("pk").values_list("pk", "target_id")[:5000])
            if not batch:
                break
            last = batch[-1][0]
            ids = {t for _, t in batch}
            uuids = []
            for t in ids:
                try:
                    uuids.append(uuid.UUID(t))
                except ValueError:
                    pass
            column = "org_id" if model is user else "pk"
            keys = {str(p): k for p, k in model.objects.filter(public_id__in=uuids).values_list("public_id", column)}
            if model is org:
                keys.update(model.objects.filter(code__in=ids).values_list("code", "pk"))
            by_key: dict[int, list[int]] = {}
            for pk, target in batch:
                if target in keys:
                    by_key.setdefault(keys[target], []).append(pk)
            for key, pks in by_key.items():
                entry.objects.filter(pk__in=pks).update(org_key=key)
    entry.objects.filter(org_key__isnull=True, actor__isnull=False).update(
        org_key=Subquery(user.objects.filter(pk=OuterRef("actor_id")).values("org_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_periodicrun'),
        ('orgs', '0001_initial'),
        ('people', '0006_notification_message_rendered_when_read'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='org_key',
            field=models.BigIntegerField(blank=True, help_text="integer key of the org the change belongs to (the target's, else the actor's): admins read the entries of their subtrees; a plain number, so the log outlives the org's row", null=True),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['org_key', 'at'], name='audit_org_at'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
