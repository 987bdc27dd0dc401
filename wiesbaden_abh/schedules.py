"""The administrators' read-only page of periodic tasks: each beat entry, its schedule, when the
beat last sent it (recorded in Redis by wiesbaden_abh.beat) and when it is next due."""

import datetime as dt

import redis
from celery.schedules import crontab, maybe_schedule
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .beat import LAST_RUN_KEY, LOCK_KEY, lock_url
from .celery import app


def _describe(schedule):
    if isinstance(schedule, crontab):
        time = f"{schedule._orig_hour}:{schedule._orig_minute:0>2}"
        return _("daily at %(time)s") % {"time": time}
    seconds = int(maybe_schedule(schedule, app=app).run_every.total_seconds())
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("every minute", "every %(n)d minutes", minutes) % {"n": minutes}
    return ngettext("every second", "every %(n)d seconds", seconds) % {"n": seconds}


def _beat_state():
    """(last runs by name, holder of the scheduler lock); empty without Redis."""
    url = lock_url(app)
    if not url:
        return {}, None
    try:
        client = redis.Redis.from_url(url, socket_timeout=2)
        raw = client.hgetall(LAST_RUN_KEY)
        holder = client.get(LOCK_KEY)
    except redis.RedisError:
        return {}, None
    runs = {key.decode(): dt.datetime.fromisoformat(value.decode()) for key, value in raw.items()}
    return runs, holder.decode() if holder else None


def periodic_tasks(request):
    """GET /admin/periodic-tasks/ (superusers): the beat schedule with last and next runs."""
    if not request.user.is_superuser:
        raise PermissionDenied
    runs, holder = _beat_state()
    now = timezone.now()
    rows = []
    for name, entry in sorted(app.conf.beat_schedule.items()):
        schedule = maybe_schedule(entry["schedule"], app=app)
        last = runs.get(name)
        rows.append(
            {
                "name": name,
                "task": entry["task"],
                "schedule": _describe(entry["schedule"]),
                "last_run": last,
                "next_run": now + schedule.remaining_estimate(last) if last else None,
            }
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Periodic tasks"),
        "rows": rows,
        "holder": holder,
    }
    return TemplateResponse(request, "admin/periodic_tasks.html", context)
