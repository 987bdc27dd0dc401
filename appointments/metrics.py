"""Domain metrics for Prometheus: bookings, holds, refusals by reason, failed mails, the
availability cache, and (read at scrape time) queue, waiting time and outbox backlog.

Counters are plain prometheus-client objects; with PROMETHEUS_MULTIPROC_DIR set (gunicorn's
and Celery's worker processes) prometheus-client keeps them in files that the /metrics view
adds up. Gauges that the database knows better than any process are not counters at all: the
`DatabaseCollector` asks a few aggregate queries when Prometheus scrapes. No label ever holds
personal data: channels, statuses, error class names and team names only.
"""

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from .models import WAITING_MESSAGES, Appointment, OutboxMessage, OutboxStatus, Status

BOOKINGS = Counter(
    "abh_bookings_total", "Appointments that became booked (committed), by channel.", ["channel"]
)
HOLDS = Counter(
    "abh_holds_total", "Online bookings held until the e-mail is verified, by channel.", ["channel"]
)
REFUSALS = Counter(
    "abh_refusals_total",
    "Domain errors shown to people (HTML) or answered by the API, by reason (error class).",
    ["reason", "interface"],
)
MAIL_FAILURES = Counter(
    "abh_mail_failures_total",
    "Failed attempts to send an outbox message; final=yes when no attempt is left.",
    ["final"],
)
AVAILABILITY_CACHE = Counter(
    "abh_availability_cache_requests_total",
    "Availability look-ups answered from the cache (hit) or computed (miss).",
    ["result"],
)
for _result in ("hit", "miss"):
    AVAILABILITY_CACHE.labels(result=_result)
for _final in ("yes", "no"):
    MAIL_FAILURES.labels(final=_final)

_EVENT_COUNTERS = {"appointment.booked": BOOKINGS, "appointment.held": HOLDS}


def appointment_event(*, action, appointment):
    """Count a booking or hold once the transaction that wrote its event commits."""
    counter = _EVENT_COUNTERS.get(action)
    if counter is not None and appointment is not None:
        channel = appointment.channel
        transaction.on_commit(lambda: counter.labels(channel=channel).inc())


def refusal(error, *, interface):
    """Count a domain error that was turned into a message, form error or API answer."""
    REFUSALS.labels(reason=type(error).__name__, interface=interface).inc()


def mail_failed(*, final):
    MAIL_FAILURES.labels(final="yes" if final else "no").inc()


def availability_cache(hit: bool):
    """Count one availability look-up: served from the cache (hit) or computed (miss)."""
    AVAILABILITY_CACHE.labels(result="hit" if hit else "miss").inc()


class DatabaseCollector:
    """Queue length and waiting time per team, outbox backlog: asked at scrape time."""

    def collect(self):
        now = timezone.now()
        length = GaugeMetricFamily(
            "abh_queue_length", "Checked-in residents waiting, per team.", labels=["team"]
        )
        wait = GaugeMetricFamily(
            "abh_queue_oldest_wait_seconds",
            "How long the longest-waiting checked-in resident has waited, per team.",
            labels=["team"],
        )
        rows = (
            Appointment.objects.filter(status=Status.CHECKED_IN, queue_team__isnull=False)
            .values("queue_team__name")
            .annotate(waiting=Count("id"), since=Min("checked_in_at"))
            .order_by("queue_team__name")
        )
        for row in rows:
            team = row["queue_team__name"]
            length.add_metric([team], row["waiting"])
            since = row["since"]
            wait.add_metric([team], max((now - since).total_seconds(), 0) if since else 0)
        yield length
        yield wait

        pending = OutboxMessage.objects.filter(status__in=WAITING_MESSAGES).aggregate(
            count=Count("id"), oldest=Min("created_at")
        )
        yield GaugeMetricFamily(
            "abh_outbox_pending_messages", "Outbox messages not yet sent.", value=pending["count"]
        )
        oldest = pending["oldest"]
        yield GaugeMetricFamily(
            "abh_outbox_oldest_pending_age_seconds",
            "Age of the oldest unsent outbox message (0 when none is pending).",
            value=max((now - oldest).total_seconds(), 0) if oldest else 0,
        )
        yield GaugeMetricFamily(
            "abh_outbox_failed_messages",
            "Outbox messages given up after all attempts (resend from the admin).",
            value=OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count(),
        )
