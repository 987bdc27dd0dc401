"""Termintreue and the other attendance statistics (DESIGN.md §3): the definitions, the SQL
aggregation into daily figures (rebuilt nightly and on demand), today's live figures, the report
queries and the forecast. Reports read the daily figures, never a million appointments.
"""

from .aggregation import RebuildResult, changed_days, rebuild, rebuild_nightly
from .forecast import forecast, working_days
from .groups import by_caseworker, by_language
from .needs import needs_per_week
from .overview import overview, overview_figures
from .reports import Filters, breakdowns, make_filters
from .trend import monthly_trend

__all__ = [
    "Filters",
    "RebuildResult",
    "breakdowns",
    "by_caseworker",
    "by_language",
    "changed_days",
    "forecast",
    "make_filters",
    "monthly_trend",
    "needs_per_week",
    "overview",
    "overview_figures",
    "rebuild",
    "rebuild_nightly",
    "working_days",
]
