"""The supervisors' waitlist screen: per service and team the backlog, the offers of a period
and their answers, days from wish to appointment and unmet demand; a chart and CSV."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from appointments.waitlist.report import waitlist_figures

from ..forms.waitlist_report import WaitlistFilterForm
from ..reporting.charts import bar_chart
from ..reporting.tables import Column, Table
from .reports import _filter_form, _names, reports_access, table_csv


class WaitlistTable(Table):
    @property
    def csv_url(self):
        url = reverse("caseworkers:reports:waitlist-export")
        return f"{url}?{self.query}" if self.query else url


def _form(request):
    return _filter_form(request, WaitlistFilterForm)


def _table(form):
    data = form.cleaned_data
    figures = waitlist_figures(
        date_from=data["date_from"],
        date_to=data["date_to"],
        service=data.get("service"),
        team=data.get("team"),
    )
    teams, services = _names()
    rows = [
        row
        | {
            "service": services.get(row["service_id"], ""),
            "team": teams.get(row["team_id"], ""),
            "label": f"{services.get(row['service_id'], '')} · {teams.get(row['team_id'], '')}",
        }
        for row in figures["rows"]
    ]
    total = figures["total"] | {"service": _("All"), "team": "", "label": _("All")}
    title = _("Offers accepted, share of answered offers")
    chart = bar_chart(
        [{"label": str(n), "termintreue": row["accepted_share"]} for n, row in enumerate(rows, 1)],
        target=100,
        title=title,
    )
    chart["target_label"] = ""  # no target for this share
    return WaitlistTable(
        "waitlist",
        _("Waitlist per service and team"),
        [
            Column("service", _("Service"), "text"),
            Column("team", _("Team"), "text"),
            Column("backlog", _("Waiting")),
            Column("unmet", _("Unmet demand")),
            Column("offered", _("Offers sent")),
            Column("accepted", _("Accepted")),
            Column("declined", _("Declined")),
            Column("expired", _("Expired")),
            Column("accepted_share", _("Accepted share"), "percent"),
            Column("median_days", _("Median days from wish to appointment"), "decimal"),
        ],
        [*rows, total] if rows else [],
        form.query(),
        _(
            "The bars are numbered as the rows of the table. Offers and days count the offers "
            "sent, and the offers accepted, within the period; waiting and unmet demand are as "
            "of now."
        ),
        chart if rows else {},
    )


@reports_access
def waitlist(request):
    form = _form(request)
    tables = [_table(form)] if form.is_valid() else []
    context = {"form": form, "tables": tables, "section": "waitlist"}
    status = 400 if form.errors else 200
    return render(request, "caseworkers/reports/waitlist.html", context, status=status)


@reports_access
def waitlist_export(request):
    """The table as CSV (UTF-8 with BOM; ';' where decimals use ',')."""
    form = _form(request)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(
            _("The filter is not valid: %(errors)s") % {"errors": errors},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return table_csv(_table(form))  # the table is named "waitlist"
