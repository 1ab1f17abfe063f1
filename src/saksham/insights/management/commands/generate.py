from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from saksham.insights.generate import Generator


class Command(BaseCommand):
    help = ("Write a synthetic national deployment (learners in states and ministries, courses, enrolments, "
            "completions, hours, certificates) with set-based SQL, then rebuild the dashboards' rollups.")

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=100_000)
        parser.add_argument("--courses", type=int, default=2_400)
        parser.add_argument("--providers", type=int, default=200)
        parser.add_argument("--ministries", type=int, default=54)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--no-rebuild", action="store_true", help="leave the rollups to `insights_rebuild`")

    def handle(self, *args, learners, courses, providers, ministries, seed, no_rebuild, **opts):
        if learners < 1 or courses < 1 or providers < 1 or ministries < 1:
            raise CommandError("--learners, --courses, --providers and --ministries are at least 1")
        call_command("migrate", verbosity=0)
        gen = Generator(learners=learners, courses=courses, providers=min(providers, courses),
                        ministries=ministries, seed=seed, out=self.stdout.write, rebuild=not no_rebuild)
        try:
            timings = gen.run()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        for label, seconds in timings.items():
            self.stdout.write(f"  {label}: {seconds:.1f} s")
        self.stdout.write(f"generate: {learners:,} learners, {courses:,} courses in {timings['total']:.1f} s")
