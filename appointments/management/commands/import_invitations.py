"""manage.py import_invitations FILE: check and import a CSV export of expiring permits."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from appointments.errors import ImportRefused
from appointments.invitations import allocation, csv_import, sending


class Command(BaseCommand):
    help = (
        "Check a CSV export of residents whose permits expire (UTF-8 or Windows-1252, "
        "separated by ; or ,) and import it as an invitation batch, with the same rules as "
        "the upload in the backoffice: every row is checked first; a file with bad rows is "
        "imported only with --only-valid; rows imported before (same file number and expiry "
        "date) are left unchanged. With --allocate, appointments are reserved at once; with "
        "--send, the invitations go out (e-mails; letters are printed from the backoffice)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only check the file and print the report."
        )
        parser.add_argument(
            "--only-valid",
            action="store_true",
            help="Import the valid rows even if other rows have errors.",
        )
        parser.add_argument(
            "--offer-earliest",
            action="store_true",
            help="Permits expiring before their window get the earliest free time.",
        )
        parser.add_argument(
            "--allocate", action="store_true", help="Reserve appointments after the import."
        )
        parser.add_argument(
            "--send", action="store_true", help="Send the invitations after allocating."
        )

    def handle(self, *args, file, dry_run, only_valid, offer_earliest, allocate, send, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        report = csv_import.check(path.read_bytes())
        if report.problem:
            raise CommandError(f"{path.name}: {report.problem}")
        self._print_report(path, report)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            with transaction.atomic():
                batch = csv_import.import_checked(
                    report=report,
                    source_name=path.name,
                    only_valid=only_valid,
                    offer_earliest=offer_earliest,
                )
        except ImportRefused as error:
            raise CommandError(str(error.message)) from None
        if batch is None:
            self.stdout.write("Every row was imported before: nothing changed.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Batch {batch.pk}: {batch.invitations.count()} invitees imported.")
        )
        if allocate or send:
            self._allocate(batch)
        if send:
            counts = sending.send_batch(batch_id=batch.pk)
            self.stdout.write(
                f"Sent: {counts['email']} e-mails; {counts['letter']} letters to print "
                f"(backoffice → Invitations → batch {batch.pk} → Letters as PDF)."
            )

    def _print_report(self, path, report):
        self.stdout.write(
            f"{path.name}: {len(report.rows)} rows ({report.encoding}, '{report.delimiter}'): "
            f"{len(report.new)} new, {len(report.already_imported)} imported before, "
            f"{len(report.invalid)} with errors."
        )
        for number, first in report.duplicates:
            self.stdout.write(f"  row {number}: exact copy of row {first}, left out.")
        for row in report.late:
            self.stdout.write(
                f"  row {row.number} ({row.file_number}): the permit expires before its window "
                "(--offer-earliest gives it the earliest free time)."
            )
        for row in report.noted:
            for message in row.errors:
                self.stdout.write(
                    self.style.ERROR(f"  row {row.number} ({row.file_number}): {message}")
                )
            for message in row.warnings:
                self.stdout.write(f"  row {row.number} ({row.file_number}): {message}")

    def _allocate(self, batch):
        with tqdm(total=0, unit="invitee", desc="Allocating", file=self.stderr._out) as bar:

            def progress(done, total):
                bar.total = total
                bar.update(done - bar.n)

            counts = allocation.allocate_batch(batch_id=batch.pk, progress=progress)
        summary = ", ".join(f"{state}: {count}" for state, count in counts.items()) or "nothing"
        self.stdout.write(f"Allocated: {summary}.")
