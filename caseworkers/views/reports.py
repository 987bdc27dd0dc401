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

from ..forms.reports import DEFAULT_RANGE_DAYS, ForecastForm, ReportFilterForm
from ..permissions import role_required
from ..reporting.tables import (
    PERIOD_LABELS,
    breakdown_tables,
    cell,
    forecast_table,
    overview_tables,
)
from ..roles import ADMINISTRATOR, SUPERVISOR

reports_access = role_required(SUPERVISOR, ADMINISTRATOR)
SERIES = ("weekly", "weekday", "hour")
EXPORTS = {
    "overview-periods",
    *(f"overview-{name}" for name in SERIES),
    "summary",
    "channel",
    "lead-time",
    "confirmation",
    "service",
    "team",
    *SERIES,
    "forecast",
}


def _names():
    return (
        dict(Team.objects.values_list("pk", "name")),
        {s.pk: s.localized_name for s in Service.objects.only("pk", "name", "name_translations")},
    )


def _overview_page(request):
    report = statistics.overview()
    return {"report": report, "tables": overview_tables(report), "section": "overview"}


def _breakdown_page(request):
    today = timezone.localdate()
    defaults = {
        "date_from": (today - dt.timedelta(days=DEFAULT_RANGE_DAYS)).isoformat(),
        "date_to": today.isoformat(),
    }
    form = ReportFilterForm({**defaults, **{k: v for k, v in request.GET.items() if v}})
    if not form.is_valid():
        return {"form": form, "tables": [], "section": "breakdowns"}
    report = statistics.breakdowns(form.filters())
    teams, services = _names()
    query = form.query()
    return {
        "form": form,
        "report": report,
        "tables": breakdown_tables(report, query=query, teams=teams, services=services),
        "section": "breakdowns",
    }


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
def forecast(request):
    context = _forecast_page(request)
    status = 400 if context["form"].errors else 200
    return render(request, "caseworkers/reports/forecast.html", _common(context), status=status)


@reports_access
def export(request, table):
    """One table as CSV (UTF-8 with BOM, so Excel shows umlauts; ';' where decimals use ',')."""
    if table not in EXPORTS:
        raise Http404
    if table.startswith("overview-"):
        context = _overview_page(request)
    elif table == "forecast":
        context = _forecast_page(request)
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{found.name}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    delimiter = ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","
    writer = csv_export.writer(response, delimiter=delimiter)
    writer.writerow([str(c.label) for c in found.columns])
    writer.writerows(found.cells(for_csv=True))
    return response
