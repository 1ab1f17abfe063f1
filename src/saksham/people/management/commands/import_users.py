"""``saksham import-users FILE --org CODE``: bulk onboarding from the shell, in this process."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saksham.core.errors import DomainError
from saksham.core.exports import cells
from saksham.core.progress import Progress
from saksham.orgs.queries import org_get
from saksham.people import importing, tasks
from saksham.people.models import ImportJob, ImportStatus, Role, User

SHOWN_REJECTED = 20


class Command(BaseCommand):
    help = ("Import people from a CSV or XLSX file into an organisation (and the orgs below it), with a progress "
            "bar; writes FILE-report.csv next to the file with the outcome of every row.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file (see docs/bulk-import.md for its columns)")
        parser.add_argument("--org", required=True, metavar="CODE", help="code of the organisation to import into")
        parser.add_argument("--as", dest="actor", metavar="EMAIL",
                            help="the admin doing the import (default: the first platform admin or superuser)")
        parser.add_argument("--no-email", action="store_true", help="do not send activation emails")
        parser.add_argument("--refuse-unknown-designations", action="store_true",
                            help="reject rows naming a designation the org does not know (default: import them "
                                 "with a warning)")
        parser.add_argument("--resume", metavar="JOB_ID",
                            help="carry on an import that stopped (its id was printed when it started)")

    def handle(self, *args, file: str, org: str, actor: str | None, no_email: bool, resume: str | None,
               refuse_unknown_designations: bool = False, **opts):
        path = Path(file)
        scope = org_get(code=org)
        if scope is None:
            raise CommandError(f"unknown organisation {org!r}")
        if resume:
            job = _job(resume)
            if job.org_id != scope.pk:
                raise CommandError(f"import {resume} is into {job.org.code}, not {org}")
            if job.status == ImportStatus.FAILED:
                raise CommandError(f"import {resume} was refused: {job.error}")
        else:
            who = _actor(actor)
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
            try:
                with open(path, "rb") as fh:
                    job = importing.job_create(actor=who, org=scope, upload=fh, original_name=path.name,
                                               send_emails=not no_email,
                                               new_designations="refuse" if refuse_unknown_designations else "accept")
            except DomainError as exc:
                raise CommandError(f"{path.name} refused: {exc.message}") from exc
            self.stdout.write(f"import {job.public_id} of {path.name} into {scope.code} "
                              f"(if it stops, carry on with --resume {job.public_id})")

        bar = Progress(None, label="importing", stream=self.stderr)

        def progress(j: ImportJob) -> None:
            bar.total = j.total_rows
            bar.update(j.processed_rows)

        job = importing.job_run(job, progress=progress, activations=tasks.import_activations_queue)
        bar.finish()
        if job.status == ImportStatus.FAILED:
            raise CommandError(f"{path.name} refused: {job.error}")

        self.stdout.write(f"created {job.created_count:,}, updated {job.updated_count:,}, "
                          f"rejected {job.rejected_count:,} of {job.total_rows or 0:,} rows")
        rejected = importing.rejected_rows(job, SHOWN_REJECTED)
        for line, reason in rejected:
            self.stdout.write(f"  line {line}: {reason}")
        if job.rejected_count > len(rejected):
            self.stdout.write(f"  ... and {job.rejected_count - len(rejected):,} more in the report")
        for text, entry in sorted(job.unknown_designations.items(), key=lambda kv: -kv[1]["rows"])[:SHOWN_REJECTED]:
            closest = f" (closest known: {', '.join(entry['closest'])})" if entry["closest"] else ""
            self.stdout.write(f"  unknown designation {text!r}: {entry['rows']:,} rows{closest}")
        if job.send_emails and job.created_count:
            self.stdout.write("activation emails are queued for the task worker (saksham worker)")
        report = path.with_name(f"{path.stem}-report.csv")
        with open(report, "w", newline="", encoding="utf-8-sig") as fh:  # the BOM: Excel then reads UTF-8
            csv.writer(fh).writerows(map(cells, importing.report_rows(job)))
        self.stdout.write(f"report: {report}")


def _job(public_id: str) -> ImportJob:
    try:
        job = ImportJob.objects.select_related("org").filter(public_id=public_id).first()
    except Exception:  # noqa: BLE001 - a malformed id
        job = None
    if job is None:
        raise CommandError(f"no import {public_id!r}")
    return job


def _actor(email: str | None) -> User:
    if email:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(f"no user {email!r}")
        return user
    admin = (
        User.objects.filter(is_active=True, memberships__role=Role.PLATFORM_ADMIN).order_by("id").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("id").first()
    )
    if admin is None:
        raise CommandError("no platform admin to import as: pass --as EMAIL, or create one "
                           "(saksham createsuperuser)")
    return admin
