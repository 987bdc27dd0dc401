"""The team's live queue board: the day read as plain rows (one query), each row's texts, level
and addresses prepared in one pass, and the rows' HTML joined from escaped strings.

Every open queue screen fetches the board every 8 s. Through the template engine 200 rows
cost a lookup per field and an include per row, most of each refresh (issue 18); so the rows
are drawn here, while partials/queue_board.html keeps the frame, headings and empty states.
The markup is the template's: change both together (tests/caseworkers/test_queue_board.py
compares the badges with partials/needs_badges.html).
"""

from html import escape

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from appointments import outage, queue, selectors
from appointments.models import Priority, Status
from appointments.protection import CACHE_ERRORS
from appointments.queue.order import APPOINTMENT_EARLY

URL_MARK = 987654321  # an id no row has: reversed once, then each row's id put in its place
# Where each screen's own CSRF field goes in a shared drawing (escaped data never holds "<").
CSRF_MARK = "<!--csrf-->"
CACHE_SECONDS = 60  # the ETag holds the minute: a drawing is of no use after it

WAITING = (
    '<tr class="traffic-{light}">'
    '<td class="font-monospace fw-bold">{number}{late}</td>'
    "<td>{level}</td>"
    "<td>{service}{needs}</td>"
    '<td>{minutes} <span class="visually-hidden">({light_label})</span></td>'
    '<td><form method="post" action="{call_url}">{csrf}'
    '<button class="btn btn-sm btn-outline-primary" type="submit">'
    '{call}<span class="visually-hidden"> {number}</span></button></form></td>'
    "</tr>\n"
)
PARKED = (
    '<li class="mb-1"><span class="font-monospace">{number}</span> {service}\n'
    '<form method="post" class="d-inline" action="{call_url}">{csrf}'
    '<button class="btn btn-sm btn-outline-primary" type="submit">'
    '{call}<span class="visually-hidden"> {number}</span></button></form></li>'
)
ACTIVE = (
    '<li class="mb-1"><a href="{visit_url}"><span class="font-monospace">{number}</span></a>'
    " {what}{details}</li>\n"
)
EXPECTED = "<li>{time} · {service}{needs}</li>"


def traffic_light(minutes, target):
    """green within the target waiting time, amber up to twice it, red beyond."""
    if minutes <= target:
        return "green"
    return "amber" if minutes <= 2 * target else "red"


def _labels():
    """The board's texts, translated and escaped once per board (not once per row)."""
    texts = {
        "late": _("late"),
        "emergency": _("Emergency"),
        "walk_in": _("Walk-in"),
        "early": _("early"),
        "call": _("Call"),
        "minutes": _("%(minutes)s min"),
        "appointment": _("Appointment %(time)s"),
        "called": _("called"),
        "in_service": _("in service"),
        "by": _("by %(name)s"),
        "green": _("within target"),
        "amber": _("above target"),
        "red": _("far above target"),
        "party": _("group booking"),
        "interpreter": _("interpreter"),
        "sign_language": _("sign language"),
        "wheelchair": _("wheelchair"),
        "companion": _("accompanied"),
        "note": _("note"),
    }
    return {key: escape(text) for key, text in texts.items()}


def needs_badges(row, labels):
    """The badges of partials/needs_badges.html for one board row."""
    badges = []
    if row["party_id"]:
        badges.append(f' <span class="badge text-bg-primary">{labels["party"]}</span>')
    if row["interpreter_needed"]:
        language = row["interpreter_language"]
        text = labels["interpreter"]
        if language:
            text += f': <span dir="auto">{escape(language)}</span>'
        badges.append(f' <span class="badge text-bg-info">{text}</span>')
    if row["needs_sign_language"]:
        badges.append(f' <span class="badge text-bg-info">{labels["sign_language"]}</span>')
    if row["needs_wheelchair"]:
        badges.append(f' <span class="badge text-bg-warning">{labels["wheelchair"]}</span>')
    if row["needs_companion"]:
        badges.append(f' <span class="badge text-bg-light border">{labels["companion"]}</span>')
    if row["needs_note"]:
        badges.append(f' <span class="badge text-bg-light border">{labels["note"]}</span>')
    return "".join(badges)


def _url_parts(name, **kwargs):
    """(before, after) the id in the address of `name`: reversed once per board."""
    before, after = reverse(name, kwargs={"appointment_id": URL_MARK, **kwargs}).split(
        str(URL_MARK)
    )
    return escape(before), escape(after)


def _staff_name(row):
    full = f"{row['served_by__first_name']} {row['served_by__last_name']}".strip()
    return full or row["served_by__username"]


def csrf_field(request):
    """The hidden CSRF field of the board's forms (what {% csrf_token %} writes)."""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'


def build(team, now, *, csrf):
    """The board of `team` as of `now`: the counts of each group and the HTML of its rows,
    the waiting ones in the order "next" calls them (appointments.queue.order), each with its
    level, waiting time and traffic light; `csrf` goes into each form. Two queries however
    many rows (the day, and whose turn it is)."""
    labels = _labels()
    turn = selectors.walk_in_turn(team, now=now)
    call_before, call_after = _url_parts("caseworkers:act", action="call")
    visit_before, visit_after = _url_parts("caseworkers:visit")
    target = settings.WAITING_TARGET_MINUTES
    services, times = {}, {}
    waiting, parked, active, expected = [], [], [], []
    done = no_show = 0
    for row in selectors.board_day(team, now=now):
        status = row["status"]
        if status == Status.COMPLETED:
            done += 1
            continue
        if status == Status.NO_SHOW:
            no_show += 1
            continue
        if status not in (Status.CHECKED_IN, Status.CALLED, Status.IN_SERVICE, Status.BOOKED):
            continue
        name = row["service__name"]
        service = services.get(name)
        if service is None:
            service = services[name] = escape(name)
        start = row["slot__start"]
        time = times.get(start)
        if time is None:
            time = times[start] = timezone.localtime(start).strftime("%H:%M")
        number = escape(row["waiting_number"])
        pk = row["pk"]
        if status == Status.CHECKED_IN:
            call_url = f"{call_before}{pk}{call_after}"
            if row["parked_at"]:
                parked.append(
                    PARKED.format(
                        number=number,
                        service=service,
                        call_url=call_url,
                        csrf=csrf,
                        call=labels["call"],
                    )
                )
                continue
            minutes = int((now - row["checked_in_at"]).total_seconds() // 60)
            light = traffic_light(minutes, target)
            priority = row["priority"]
            place = queue.sort_key(
                priority=priority,
                start=start,
                checked_in_at=row["checked_in_at"],
                pk=pk,
                now=now,
                walk_in_turn=turn,
            )
            if priority == Priority.EMERGENCY:
                level = f'<span class="badge text-bg-danger">{labels["emergency"]}</span>'
            elif priority == Priority.WALK_IN:
                level = f'<span class="badge text-bg-secondary">{labels["walk_in"]}</span>'
            else:
                level = labels["appointment"] % {"time": time}
                if place[0] == APPOINTMENT_EARLY:
                    level += f' <span class="badge text-bg-light border">{labels["early"]}</span>'
            html = WAITING.format(
                light=light,
                number=number,
                late=(
                    f' <span class="badge text-bg-warning">{labels["late"]}</span>'
                    if row["arrived_late"]
                    else ""
                ),
                level=level,
                service=service,
                needs=needs_badges(row, labels),
                minutes=labels["minutes"] % {"minutes": minutes},
                light_label=labels[light],
                call_url=call_url,
                csrf=csrf,
                call=labels["call"],
            )
            waiting.append((place, html))
        elif status == Status.BOOKED:
            expected.append(
                EXPECTED.format(time=time, service=service, needs=needs_badges(row, labels))
            )
        else:
            counter = row["counter__number"]
            if status == Status.CALLED:
                what = labels["called"]
                details = f" → {escape(str(counter))}" if counter is not None else ""
                details += f" ({row['call_count']}×)"
            else:
                what = labels["in_service"]
                details = f" · {escape(str(counter))}" if counter is not None else ""
            if row["served_by__username"] is not None:
                details += " · " + labels["by"] % {"name": escape(_staff_name(row))}
            html = ACTIVE.format(
                visit_url=f"{visit_before}{pk}{visit_after}",
                number=number,
                what=what,
                details=details,
            )
            active.append((status != Status.CALLED, html))  # the called ones first
    waiting.sort(key=lambda w: w[0])
    active.sort(key=lambda a: a[0])  # stable: the day's order within each group
    return {
        "waiting": len(waiting),
        "waiting_rows": mark_safe("".join(w[1] for w in waiting)),  # noqa: S308 (escaped above)
        "parked_rows": mark_safe("".join(parked)),  # noqa: S308 (escaped above)
        "active_rows": mark_safe("".join(a[1] for a in active)),  # noqa: S308 (escaped above)
        "expected": len(expected),
        "expected_rows": mark_safe("".join(expected)),  # noqa: S308 (escaped above)
        "done": done,
        "no_show": no_show,
    }


def fragment(request, team, now, etag):
    """The HTML of partials/queue_board.html for the board that `etag` names: drawn once per
    team, version, minute and language and shared by every screen showing it (each gets its
    own CSRF field). Residents' names are not on the board; without the cache it is drawn."""
    key = f"queue-board:{etag}"
    html = None
    if not outage.CACHE.active():
        try:
            html = cache.get(key)
        except CACHE_ERRORS as error:
            outage.CACHE.start(error)
    if html is None:
        html = render_to_string(
            "caseworkers/partials/queue_board.html",
            {
                "board": build(team, now, csrf=CSRF_MARK),
                "target": settings.WAITING_TARGET_MINUTES,
            },
        )
        if not outage.CACHE.active():
            try:
                cache.set(key, html, CACHE_SECONDS)
            except CACHE_ERRORS as error:
                outage.CACHE.start(error)
    return html.replace(CSRF_MARK, csrf_field(request))
