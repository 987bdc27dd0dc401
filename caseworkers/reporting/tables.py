"""Report tables: one definition per table, shown on the page and exported as CSV."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import formats, numberformat
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from appointments.models import Channel
from appointments.statistics.definitions import LeadBucket

from .charts import bar_chart, line_chart
from .markup import escape


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # text, int, decimal, percent, points


@dataclass
class Table:
    """One table of a report: shown on the page and exported as CSV with the same rows."""

    name: str
    title: str
    columns: list
    rows: list
    query: str = ""
    note: str = ""
    chart: dict = field(default_factory=dict)

    def cells(self, *, for_csv=False):
        number = number_formatter()
        return [
            [cell(row.get(c.key), c.kind, for_csv, number_format=number) for c in self.columns]
            for row in self.rows
        ]

    @property
    def body_html(self):
        """The rows as HTML, the first cell a row header: what a loop over the cells in the
        template gave, built here because a report page has hundreds of cells."""
        rows = []
        for first, *rest in self.cells():
            figures = "".join(f'<td class="text-end text-nowrap">{escape(c)}</td>' for c in rest)
            rows.append(
                '\n    <tr><th scope="row" class="fw-normal text-nowrap">'
                f"{escape(first)}</th>{figures}</tr>\n  "
            )
        return mark_safe("".join(rows))  # noqa: S308 - every cell is escaped

    @property
    def csv_url(self):
        url = reverse("caseworkers:reports:export", kwargs={"table": self.name})
        return f"{url}?{self.query}" if self.query else url


def number_formatter():
    """formats.number_format with the active language's separators looked up once: a report
    table formats hundreds of numbers."""
    language = get_language()
    decimal = formats.get_format("DECIMAL_SEPARATOR", language)
    grouping = formats.get_format("NUMBER_GROUPING", language)
    thousands = formats.get_format("THOUSAND_SEPARATOR", language)

    def number(value, decimal_pos=None):
        return numberformat.format(
            value, decimal, decimal_pos, grouping, thousands, force_grouping=False, use_l10n=True
        )

    return number


def cell(value, kind, for_csv, *, number_format=formats.number_format):
    if value is None:
        return "" if for_csv else "–"
    if kind == "text":
        return _spreadsheet_safe(str(value)) if for_csv else str(value)
    if kind == "int":
        return str(value) if for_csv else number_format(value)
    number = number_format(value, decimal_pos=1)
    if for_csv:
        return number
    if kind == "percent":
        return f"{number} %"
    if kind == "points":
        return f"+{number}" if value > 0 else number
    return number


def _spreadsheet_safe(text):
    """Text a spreadsheet would run as a formula is quoted (names come from staff input)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _attendance_columns(first):
    return [
        first,
        Column("termintreue", _("Termintreue"), "percent"),
        Column("kept", _("Kept")),
        Column("no_show", _("No-shows")),
        Column("cancelled", _("Cancelled")),
        Column("late_cancelled", _("of which late")),
        Column("walk_ins", _("Walk-ins")),
        Column("waiting_minutes", _("Waiting (min)"), "decimal"),
        Column("processing_minutes", _("Processing (min)"), "decimal"),
    ]


def _date_label(day):
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _week_label(day):
    iso = day.isocalendar()
    return _("Week %(week)s/%(year)s") % {"week": iso.week, "year": iso.year}


def _weekday_label(number):
    return str(WEEKDAYS_ABBR[number - 1])


def _hour_label(hour):
    return f"{hour:02d}:00"


def _labelled(series, label):
    return [{**row, "label": label(row["key"])} for row in series]


# --- Report tables -------------------------------------------------------------------------

PERIOD_LABELS = {
    "week": gettext_lazy("This week"),
    "previous_week": gettext_lazy("Previous week"),
    "month": gettext_lazy("This month"),
    "previous_month": gettext_lazy("Previous month, same days"),
    "year": gettext_lazy("This year"),
    "previous_year": gettext_lazy("Previous year"),
}


def _series_tables(report, *, prefix, query, target):
    weekly = [
        {**row, "short": formats.date_format(row["key"], "MONTH_DAY_FORMAT")}
        for row in _labelled(report["weekly"], _week_label)
    ]
    weekday = _labelled(report["weekday"], _weekday_label)
    hour = _labelled(report["hour"], _hour_label)
    return [
        Table(
            f"{prefix}weekly",
            _("Termintreue per week"),
            _attendance_columns(Column("label", _("Week"), "text")),
            weekly,
            query,
            chart=line_chart(weekly, target=target, title=_("Termintreue per week")),
        ),
        Table(
            f"{prefix}weekday",
            _("Termintreue by weekday"),
            _attendance_columns(Column("label", _("Weekday"), "text")),
            weekday,
            query,
            chart=bar_chart(weekday, target=target, title=_("Termintreue by weekday")),
        ),
        Table(
            f"{prefix}hour",
            _("Termintreue by hour of the appointment"),
            [
                Column("label", _("Hour"), "text"),
                Column("termintreue", _("Termintreue"), "percent"),
                Column("kept", _("Kept")),
                Column("no_show", _("No-shows")),
                Column("walk_ins", _("Walk-ins")),
                Column("waiting_minutes", _("Waiting (min)"), "decimal"),
            ],
            hour,
            query,
            note=(
                _("The hours are not split by service: a service filter does not apply here.")
                if not prefix
                else ""
            ),
            chart=bar_chart(hour, target=target, title=_("Termintreue by hour")),
        ),
    ]


def overview_tables(report):
    periods = [
        {"label": str(PERIOD_LABELS[name]), "from": _date_label(p["start"]), **p}
        | {"until": _date_label(p["end"])}
        for name, p in report["periods"].items()
    ]
    columns = _attendance_columns(Column("label", _("Period"), "text"))
    columns[1:1] = [Column("from", _("From"), "text"), Column("until", _("Until"), "text")]
    columns.insert(4, Column("change", _("Change (points)"), "points"))
    columns += [
        Column("offered", _("Places offered")),
        Column("utilisation", _("Utilisation"), "percent"),
        Column("visits_per_case", _("Visits per case"), "decimal"),
    ]
    return [
        Table("overview-periods", _("This week, month and year"), columns, periods),
        *_series_tables(report, prefix="overview-", query="", target=report["target"]),
    ]


def breakdown_tables(report, *, query, teams, services):
    target = report["target"]
    summary = [{"label": _("Selected range"), **report["summary"]}]
    summary_columns = _attendance_columns(Column("label", _("Range"), "text"))
    summary_columns += [
        Column("lead_days", _("Lead time (days)"), "decimal"),
        Column("offered", _("Places offered")),
        Column("utilisation", _("Utilisation"), "percent"),
        Column("visits_per_case", _("Visits per case"), "decimal"),
    ]
    simple = [
        Column("termintreue", _("Termintreue"), "percent"),
        Column("kept", _("Kept")),
        Column("no_show", _("No-shows")),
    ]
    return [
        Table("summary", _("Summary"), summary_columns, summary, query),
        Table(
            "channel",
            _("By channel"),
            [
                *_attendance_columns(Column("label", _("Channel"), "text")),
                Column("lead_days", _("Lead time (days)"), "decimal"),
            ],
            _labelled(report["channel"], lambda key: str(Channel(key).label)),
            query,
            note=_(
                "Walk-ins had no appointment to keep: they count as visits, not for Termintreue."
            ),
        ),
        Table(
            "lead-time",
            _("By lead time (booking to appointment)"),
            [Column("label", _("Lead time"), "text"), *simple],
            [{**row, "label": str(LeadBucket(row["key"]).label)} for row in report["lead"]],
            query,
        ),
        Table(
            "confirmation",
            _("By reminder confirmation"),
            [
                Column("label", _("Answer to the reminder"), "text"),
                Column("booked", _("Booked")),
                *simple,
            ],
            _labelled(
                report["confirmation"],
                lambda key: _("Confirmed attendance") if key == "confirmed" else _("No answer"),
            ),
            query,
        ),
        Table(
            "service",
            _("By service"),
            [
                *_attendance_columns(Column("label", _("Service"), "text")),
                Column("cases_completed", _("Cases completed")),
                Column("visits_per_case", _("Visits per case"), "decimal"),
            ],
            _labelled(report["service"], lambda key: services.get(key, key)),
            query,
        ),
        Table(
            "team",
            _("By team: capacity and utilisation"),
            [
                Column("label", _("Team"), "text"),
                Column("offered_online", _("Offered online")),
                Column("offered_internal", _("Offered internally")),
                Column("taken", _("Places taken")),
                Column("kept", _("Kept")),
                Column("utilisation", _("Utilisation"), "percent"),
                Column("termintreue", _("Termintreue"), "percent"),
                Column("no_show", _("No-shows")),
                Column("walk_ins", _("Walk-ins")),
            ],
            _labelled(report["team"], lambda key: teams.get(key, key)),
            query,
            note=_(
                "Places are not split by service or channel: with such a filter, utilisation "
                "counts only the matching visits."
            ),
        ),
        *_series_tables(report, prefix="", query=query, target=target),
    ]


def forecast_table(rows, *, query):
    return Table(
        "forecast",
        _("Forecast for the next working days"),
        [
            Column("label", _("Day"), "text"),
            Column("booked", _("Booked")),
            Column("show_up_rate", _("Expected show-up"), "percent"),
            Column("expected", _("Expected visitors")),
            Column("expected_no_shows", _("Expected no-shows")),
            Column("offered_online", _("Offered online")),
            Column("offered_internal", _("Offered internally")),
            Column("taken", _("Places taken")),
            Column("free", _("Places free")),
            Column("expected_empty", _("Expected empty places")),
        ],
        [
            {**row, "label": formats.date_format(row["date"], "D, ") + _date_label(row["date"])}
            for row in rows
        ],
        query,
    )


# --- Monthly trend, caseworkers, languages ---------------------------------------------------


def monthly_table(series, *, target):
    """The last 13 months, the current one to date, as a line chart and a table."""
    rows = []
    for row in series:
        label = formats.date_format(row["key"], "YEAR_MONTH_FORMAT")
        if row["until"]:
            label = _("%(month)s (until %(day)s)") % {
                "month": label,
                "day": _date_label(row["until"]),
            }
        rows.append({**row, "label": label, "short": formats.date_format(row["key"], "M y")})
    columns = _attendance_columns(Column("label", _("Month"), "text"))
    columns.insert(2, Column("booked", _("Booked")))
    return Table(
        "overview-monthly",
        _("Monthly trend over 13 months"),
        columns,
        rows,
        chart=line_chart(rows, target=target, title=_("Termintreue per month")),
    )


def caseworker_table(rows, *, query):
    return Table(
        "caseworkers",
        _("By caseworker: visits finished and processing time"),
        [
            Column("label", _("Caseworker"), "text"),
            Column("served", _("Visits finished")),
            Column("walk_ins", _("of which walk-ins")),
            Column("processing_minutes", _("Processing (min)"), "decimal"),
        ],
        rows,
        query,
        note=_(
            "Counted are the finished visits whose appointment falls in the range, by the "
            "staff member who served them; processing is the average from the start of "
            "service to the finish."
        ),
    )


def language_table(rows, *, query, languages):
    return Table(
        "language",
        _("By language of the resident"),
        [
            Column("label", _("Language"), "text"),
            Column("termintreue", _("Termintreue"), "percent"),
            Column("booked", _("Booked")),
            Column("kept", _("Kept")),
            Column("no_show", _("No-shows")),
            Column("walk_ins", _("Walk-ins")),
            Column("interpreter", _("Interpreter needed")),
        ],
        _labelled(rows, lambda key: str(languages.get(key, key))),
        query,
        note=_(
            "The language the resident chose for messages (walk-ins: the one recorded at the "
            "counter). Walk-ins count as visits, not for Termintreue."
        ),
    )
