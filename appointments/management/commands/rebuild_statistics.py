"""manage.py rebuild_statistics: rebuild the daily figures of a range of past days."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from appointments import statistics


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-03-31.") from None


class Command(BaseCommand):
    help = (
        "Rebuild the statistics (daily figures of Termintreue, waiting and processing times, "
        "lead times, capacity, visits per case) from the appointments of past days, by SQL "
        "aggregation. Safe to run any number of times, also while the nightly task runs. "
        "Without dates it rebuilds yesterday; today's figures are always computed live."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="date_from", metavar="YYYY-MM-DD", help="First day (default: yesterday)."
        )
        parser.add_argument(
            "--to",
            dest="date_to",
            metavar="YYYY-MM-DD",
            help="Last day (default: yesterday; days from today on are left out).",
        )

    def handle(self, *args, date_from=None, date_to=None, **options):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        first = _date(date_from) if date_from else yesterday
        last = _date(date_to) if date_to else max(first, yesterday)
        if first > last:
            raise CommandError(f"--from ({first}) is after --to ({last}).")
        if first > yesterday:
            raise CommandError(
                f"Only past days are rebuilt ({first} is not): today's figures are computed live."
            )
        if last > yesterday:
            self.stdout.write(f"Days from today on are live: rebuilding up to {yesterday}.")
            last = yesterday
        total = (last - first).days + 1
        with tqdm(total=total, unit="day", file=self.stderr, disable=None) as bar:
            result = statistics.rebuild(date_from=first, date_to=last, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {len(result.days)} day(s) from {first} to {last}: "
                f"{result.figures} daily figure rows."
            )
        )
