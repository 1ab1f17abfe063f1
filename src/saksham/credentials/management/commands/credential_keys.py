"""`saksham credential-keys create|rotate|list [--org CODE]`: the signing keys of the platform and its providers.

Private keys are stored encrypted with the master key (SAKSHAM_CREDENTIALS_KEY, base64 of 32 bytes, or the file
``credentials_master_key`` in the data directory); this command never prints one.
"""

from django.core.management.base import BaseCommand, CommandError

from saksham.credentials import services
from saksham.credentials.models import SigningKey
from saksham.orgs.queries import org_get


class Command(BaseCommand):
    help = "Create, rotate or list credential signing keys (rotation keeps old certificates verifying)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "rotate", "list"])
        parser.add_argument("--org", help="code of a provider org that issues in its own name")

    def handle(self, *args, action, org=None, **opts):
        target = None
        if org:
            target = org_get(code=org)
            if target is None:
                raise CommandError(f"no org with code {org!r}")
        if action == "list":
            for k in SigningKey.objects.order_by("scope", "id"):
                self.stdout.write(f"{k.scope:48} {k.state:8} {k.created_at:%Y-%m-%d %H:%M} {k.verification_method}")
            return
        existing = services.active_key(target, create=False)
        if action == "create" and existing is not None:
            self.stdout.write(f"an active key exists already: {existing.verification_method} (use rotate)")
            return
        key = services.signing_key_create(org=target)
        verb = "rotated: new" if existing else "created"
        self.stdout.write(self.style.SUCCESS(f"{verb} key {key.verification_method}"))
        if existing:
            self.stdout.write(f"retired (still published, still verifies): {existing.verification_method}")
