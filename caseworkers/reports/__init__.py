"""Supervisor reports under /backoffice/reports/: overview, breakdowns with filters, forecast,
and every table as CSV. The figures come from appointments.statistics; this package parses
filters, shapes tables and draws charts as inline SVG (no script, nothing external).
"""

from .views import breakdowns, export, forecast, overview

__all__ = ["breakdowns", "export", "forecast", "overview"]
