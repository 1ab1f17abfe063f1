"""`saksham certificates-backlog [--limit N]`: issue the certificates of completed enrolments that have none, in
batches of 1,000, with a progress bar (idempotent: run it again, it issues only what is still missing)."""

from django.core.management.base import BaseCommand

from saksham.core.progress import Progress
from saksham.credentials import services


class Command(BaseCommand):
    help = "Issue certificates for completed enrolments that have none."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args, limit=None, **opts):
        ids = services.backlog_enrolment_ids(limit=limit)
        bar = Progress(len(ids), "issuing")
        done = 0
        for i in range(0, len(ids), 1000):
            done += services.certificates_issue_for_enrolments(ids[i:i + 1000])
            bar.update(min(i + 1000, len(ids)))
        bar.update(len(ids), force=True)
        bar.finish()
        self.stdout.write(f"issued {done} certificates ({len(ids) - done} had one already)")
