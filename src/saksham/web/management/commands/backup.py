"""``saksham backup [--output FILE]``: the database, uploads and secrets of this deployment in one archive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from saksham.core import backup
from saksham.core.progress import Progress


class Command(BaseCommand):
    help = ("Write a consistent snapshot of the database (SQLite online backup or pg_dump), the uploads, the "
            "secret key and the credentials key file to one tar.gz with a manifest of counts and checksums.")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", metavar="FILE",
                            help="the archive to write (default: backups/saksham-<UTC time>.tar.gz in the data "
                                 "directory)")

    def handle(self, *args, output: str | None = None, **opts):
        if output:
            path = Path(output)
        else:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            path = Path(settings.DATA_DIR) / "backups" / f"saksham-{stamp}.tar.gz"
        bar: Progress | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = Progress(total, "backup: members", every_s=0.2)
            bar.update(done)

        try:
            manifest = backup.backup(path, say=lambda text: self.stderr.write(f"backup: {text}"), progress=progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        if bar is not None:
            bar.finish()
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"{path}: {len(manifest['sha256'])} members, {rows:,} rows in "
                          f"{len(manifest['counts'])} tables ({manifest['backend']}), {path.stat().st_size:,} bytes")
