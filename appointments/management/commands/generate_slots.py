"""manage.py generate_slots: materialise slots from the opening rules (idempotent)."""

from django.core.management.base import BaseCommand

from appointments.scheduling import generate_slots


class Command(BaseCommand):
    help = (
        "Create the slots of the coming days from the opening rules, apply rule changes and "
        "closures (cancelling appointments in closed slots). Safe to run any number of times."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Days ahead (default: SLOT_HORIZON_DAYS)."
        )

    def handle(self, *args, days=None, **options):
        result = generate_slots(days=days)
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, removed {result.removed}, "
            f"closed {result.closed}, cancelled appointments {len(result.cancelled_appointments)}"
        )
