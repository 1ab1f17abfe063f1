from django.core.management.base import BaseCommand

from saksham.core import hooks


class Command(BaseCommand):
    help = ("Print the map of hook points (name, declared by, payload, phase, listeners in order) as a Markdown "
            "table, read from the declarations and this deployment's settings.")

    def handle(self, *args, **options):
        self.stdout.write(hooks.table(), ending="")
