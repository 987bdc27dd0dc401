"""The report views: parse the filter, call one statistics function, render or export."""

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from appointments import csv_export, statistics
from appointments.models import Service, Team

from ..audit import EXPORTED, VIEWED, log_personal_data_access
from ..forms.reports import DEFAULT_RANGE_DAYS, ForecastForm, ReportFilterForm
from ..permissions import role_required
from ..reporting.tables import (
    PERIOD_LABELS,
    breakdown_tables,
    caseworker_table,
    cell,
    forecast_table,
    language_table,
    monthly_table,
    overview_tables,
)
from ..roles import ADMINISTRATOR, SUPERVISOR

reports_access = role_required(SUPERVISOR, ADMINISTRATOR)
SERIES = ("weekly", "weekday", "hour")
EXPORTS = {
    "overview-periods",
    "overview-monthly",
    *(f"overview-{name}" for name in SERIES),
    "summary",
    "channel",
    "lead-time",
    "confirmation",
    "service",
    "team",
    *SERIES,
    "forecast",
    "language",
    "caseworkers",
}


def _names():
    return (
        dict(Team.objects.values_list("pk", "name")),
        {s.pk: s.localized_name for s in Service.objects.only("pk", "name", "name_translations")},
    )


def _overview_page(request):
    now = timezone.now()
    report = statistics.overview(now=now)
    tables = overview_tables(report)
    # The overview sums the 13-month trend from the same read of the daily figures.
    tables.insert(1, monthly_table(report["monthly"], target=report["target"]))
    return {"report": report, "tables": tables, "section": "overview"}


def _filter_form(request, form_class=ReportFilterForm):
    """The report's filter form bound to the query, over the last DEFAULT_RANGE_DAYS by default."""
    today = timezone.localdate()
    defaults = {
        "date_from": (today - dt.timedelta(days=DEFAULT_RANGE_DAYS)).isoformat(),
        "date_to": today.isoformat(),
    }
    return form_class({**defaults, **{k: v for k, v in request.GET.items() if v}})


def _breakdown_page(request):
    form = _filter_form(request)
    if not form.is_valid():
        return {"form": form, "tables": [], "section": "breakdowns"}
    report = statistics.breakdowns(form.filters())
    teams, services = _names()
    query = form.query()
    tables = breakdown_tables(report, query=query, teams=teams, services=services)
    languages = {code: str(name) for code, name in settings.LANGUAGES}
    by_language = statistics.by_language(form.filters())
    # After the team table: who came, then in which language, then the time series.
    at = next(n for n, t in enumerate(tables) if t.name == "team") + 1
    tables.insert(at, language_table(by_language, query=query, languages=languages))
    return {"form": form, "report": report, "tables": tables, "section": "breakdowns"}


def _caseworker_page(request):
    form = _filter_form(request)
    if not form.is_valid():
        return {"form": form, "tables": [], "section": "caseworkers"}
    filters = form.filters()
    rows = statistics.by_caseworker(filters)
    return {
        "form": form,
        "filters": filters,
        "tables": [caseworker_table(rows, query=form.query())],
        "section": "caseworkers",
    }


def _log_caseworker_access(request, context, what):
    """Personal performance data: who looked at whose figures is logged like other personal
    data (ids and the range only)."""
    filters = context["filters"]
    log_personal_data_access(
        request=request,
        appointment=None,
        what=what,
        date_from=str(filters.date_from),
        date_to=str(filters.date_to),
        team=filters.team_id,
        staff=[row["key"] for row in context["tables"][0].rows],
        count=len(context["tables"][0].rows),
    )


def _forecast_page(request):
    form = ForecastForm(request.GET or None)
    if request.GET and not form.is_valid():
        return {"form": form, "tables": [], "section": "forecast"}
    data = form.cleaned_data if request.GET else {}
    rows = statistics.forecast(team=data.get("team"), service=data.get("service"))
    query = urlencode({k: v.pk for k, v in data.items() if v})
    return {"form": form, "tables": [forecast_table(rows, query=query)], "section": "forecast"}


def _common(context):
    return {
        **context,
        "target": settings.STATISTICS_TARGET_PERCENT,
        "late_hours": settings.LATE_CANCELLATION_HOURS,
        "grace_minutes": settings.NO_SHOW_GRACE_MINUTES,
        "max_calls": settings.MAX_UNANSWERED_CALLS,
    }


@reports_access
def overview(request):
    context = _overview_page(request)
    context["cards"] = [
        {
            "name": name,
            "label": PERIOD_LABELS[name],
            **context["report"]["periods"][name],
            "change_display": cell(context["report"]["periods"][name]["change"], "points", False),
        }
        for name in ("week", "month", "year")
    ]
    return render(request, "caseworkers/reports/overview.html", _common(context))


@reports_access
def breakdowns(request):
    context = _breakdown_page(request)
    status = 400 if context["form"].errors else 200
    return render(request, "caseworkers/reports/breakdowns.html", _common(context), status=status)


@reports_access
def caseworkers(request):
    """Visits finished and processing time per caseworker: supervisors and administrators."""
    context = _caseworker_page(request)
    if context["form"].errors:
        return render(request, "caseworkers/reports/caseworkers.html", _common(context), status=400)
    _log_caseworker_access(request, context, VIEWED)
    return render(request, "caseworkers/reports/caseworkers.html", _common(context))


@reports_access
def forecast(request):
    context = _forecast_page(request)
    status = 400 if context["form"].errors else 200
    return render(request, "caseworkers/reports/forecast.html", _common(context), status=status)


@reports_access
def needs(request):
    """Needs stated up front per week (four weeks back, eight ahead): plan interpreters."""
    form = ForecastForm(request.GET or None)
    rows = []
    if not request.GET or form.is_valid():
        data = form.cleaned_data if request.GET else {}
        today = timezone.localdate()
        rows = statistics.needs_per_week(
            date_from=today - dt.timedelta(days=today.weekday() + 28),
            date_to=today + dt.timedelta(days=56),
            team=data.get("team"),
            service=data.get("service"),
        )
    context = {"form": form, "rows": rows, "section": "needs"}
    status = 400 if form.errors else 200
    return render(request, "caseworkers/reports/needs.html", _common(context), status=status)


@reports_access
def export(request, table):
    """One table as CSV (UTF-8 with BOM, so Excel shows umlauts; ';' where decimals use ',')."""
    if table not in EXPORTS:
        raise Http404
    if table.startswith("overview-"):
        context = _overview_page(request)
    elif table == "forecast":
        context = _forecast_page(request)
    elif table == "caseworkers":
        context = _caseworker_page(request)
    else:
        context = _breakdown_page(request)
    if not context["tables"]:
        errors = "; ".join(str(e) for errs in context["form"].errors.values() for e in errs)
        return HttpResponse(
            _("The filter is not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    found = next(t for t in context["tables"] if t.name == table)
    if table == "caseworkers":
        _log_caseworker_access(request, context, EXPORTED)
    return table_csv(found)


def table_csv(table):
    """A report table as a CSV download named after the table and today (';' where the
    language writes decimal commas, so spreadsheets split the columns)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{table.name}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    delimiter = ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","
    writer = csv_export.writer(response, delimiter=delimiter)
    writer.writerow([str(c.label) for c in table.columns])
    writer.writerows(table.cells(for_csv=True))
    return response
