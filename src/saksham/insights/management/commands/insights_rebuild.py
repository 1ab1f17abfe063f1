from django.core.management.base import BaseCommand

from saksham.core.progress import Progress
from saksham.insights.services import rebuild


class Command(BaseCommand):
    help = "Recompute every dashboard rollup from the raw tables (the same figures as the incremental path)."

    def handle(self, *args, **opts):
        bar = Progress(None, "rollups")
        timings = rebuild(progress=lambda done, total, label: bar.update(done))
        bar.finish()
        for label, seconds in timings.items():
            self.stdout.write(f"  {label}: {seconds:.2f} s")
        self.stdout.write(f"insights_rebuild: {sum(timings.values()):.1f} s")
