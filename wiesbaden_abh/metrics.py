"""GET /metrics in Prometheus' text format, and the middleware that times every request.

Access: clients in METRICS_ALLOWED_NETWORKS (the client address as rate limits and the audit
log take it, `appointments.protection.client_ip`), or any client with
`Authorization: Bearer <METRICS_TOKEN>`. Anybody else gets 404 (a wrong token 403), so the
endpoint is not advertised.

Multi-process: gunicorn runs several workers, each with its own counters. With
PROMETHEUS_MULTIPROC_DIR set (an empty folder, before the processes start) prometheus-client
writes them to files there and this view adds up all processes' values; gunicorn.conf.py
marks exited workers dead. Without it, each process answers for itself (development, tests).
"""

import functools
import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from appointments.metrics import DatabaseCollector
from appointments.protection import client_ip

REQUESTS = Counter(
    "abh_http_requests_total",
    "HTTP requests answered, by view (URL name), method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "abh_http_request_duration_seconds",
    "Time to answer HTTP requests, by view (URL name).",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

# Asked at scrape time, in the scraping process only (never summed over processes).
DATABASE_REGISTRY = CollectorRegistry()
DATABASE_REGISTRY.register(DatabaseCollector())

UNRESOLVED = "<unresolved>"


def view_name(request):
    """The URL name of the view that answered (never the raw path: codes and tokens live in
    paths), the view's dotted path when it has no name, "<unresolved>" for 404s."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED
    return match.view_name or match._func_path


class RequestMetricsMiddleware:
    """Counts and times every request by view name, method and status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_name(request)
        LATENCY.labels(view=view).observe(time.perf_counter() - started)
        method = request.method if request.method in KNOWN_METHODS else "OTHER"
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


@functools.lru_cache(maxsize=4)
def _networks(entries):
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {error}") from None


def _from_allowed_network(request):
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    networks = _networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    return any(address.version == net.version and address in net for net in networks)


def _bearer(request):
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def exposition():
    """All series as Prometheus text: this process's or all processes' counters, then the
    database gauges."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry) + generate_latest(DATABASE_REGISTRY)


@never_cache
@require_GET
def metrics(request):
    token = _bearer(request)
    if token is not None and settings.METRICS_TOKEN:
        if not hmac.compare_digest(token.encode(), settings.METRICS_TOKEN.encode()):
            return HttpResponseForbidden()
    elif not _from_allowed_network(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
