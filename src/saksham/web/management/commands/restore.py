"""``saksham restore FILE [--force]``: restore a ``saksham backup`` archive into this deployment, then verify it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saksham.core import backup
from saksham.credentials import services, verify
from saksham.credentials.queries import certificate_latest_valid


class Command(BaseCommand):
    help = ("Restore an archive written by `saksham backup`: checks every member's checksum before writing "
            "anything, refuses a database or media folder that is not empty unless --force, then verifies the "
            "table counts against the manifest and that a signed certificate still verifies.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by saksham backup")
        parser.add_argument("--force", action="store_true",
                            help="replace a database that is not empty (its tables are dropped) and move a media "
                                 "folder that is not empty aside")

    def handle(self, *args, archive: str, force: bool = False, **opts):
        try:
            result = backup.restore(Path(archive), force=force,
                                    say=lambda text: self.stderr.write(f"restore: {text}"))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stderr.write(f"restore: warning: {warning}")
        if result.mismatches:
            lines = ", ".join(f"{t}: {want} in the manifest, {got} restored" for t, (want, got) in
                              sorted(result.mismatches.items()))
            raise CommandError(f"restored, but the counts differ from the manifest: {lines}")
        rows = sum(result.counts.values())
        self.stdout.write(f"counts: {len(result.counts)} tables, {rows:,} rows, equal to the manifest")
        services.forget_keys()
        cert = certificate_latest_valid()
        if cert is None:
            self.stdout.write("certificates: none to verify")
            return
        outcome = verify.verify(cert.document)
        if not outcome.valid:
            raise CommandError(f"restored, but certificate {cert.code} does not verify: {outcome.verdict} "
                               f"({'; '.join(outcome.reasons)})")
        self.stdout.write(f"certificate {cert.code}: {outcome.verdict}")
        self.stdout.write("restore verified")
