from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from saksham.orgs.services import profile_apply


class Command(BaseCommand):
    help = "Create or upgrade the database and load the deployment profile (country and regions). Idempotent."

    def handle(self, *args, **opts):
        call_command("migrate", interactive=False, verbosity=0)
        root, created = profile_apply()
        p = settings.PROFILE
        self.stdout.write(f"Deployment profile: {p['country']['name']} ({p['source']}), time zone {p['time_zone']}, "
                          f"{len(p['languages'])} languages, {len(p['regions'])} regions ({created} new)")
