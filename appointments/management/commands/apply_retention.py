"""manage.py apply_retention: remove the personal data whose retention period has ended."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from appointments import retention


class Command(BaseCommand):
    help = (
        "Pseudonymise or delete the personal data whose retention period (RETENTION_* settings) "
        "has ended: appointments, expired holds, sent messages, mail-limit locks, invitation "
        "rows, expired sessions, login attempts, staff-access audit entries. Statistics keep "
        "their figures. Works in batches, each in its own transaction; safe to run any number "
        "of times. Prints per category what it removed; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print how many rows per category are due and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        due = retention.due_counts()
        if dry_run:
            counts = due
        else:
            # A bar on a terminal only (tqdm's disable=None); cron and Celery logs stay clean.
            with tqdm(total=sum(due.values()), unit="row", file=self.stderr, disable=None) as bar:
                counts = retention.apply_retention(progress=lambda _name, rows: bar.update(rows))
        verb = "due" if dry_run else "removed"
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>7} {verb}")
        summary = f"{sum(counts.values())} row(s) {verb}"
        if dry_run:
            self.stdout.write(f"Dry run: {summary}; nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Retention applied: {summary}."))
