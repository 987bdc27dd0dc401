"""Services and responsibility rules kept per process: read on every availability and booking
request, changed a few times a year. Saving or deleting one (admin, screens, commands) stamps
the shared cache after the commit; each process drops its copy when it sees a new stamp
(checked at most every CHECK_SECONDS, at once in the process that made the change)."""

import copy
import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import outage
from .models import ResponsibilityRule, Service, Team

STAMP_KEY = "catalogue:stamp"
CHECK_SECONDS = 1.0

_lock = threading.Lock()
_state = {"stamp": None, "checked": float("-inf"), "services": {}, "rules": {}}


def _fresh():
    """Drop this process's copies when another process changed the catalogue (or, while the
    cache is down, keep none: every read goes to the database)."""
    now = time.monotonic()
    if now - _state["checked"] < CHECK_SECONDS and not outage.CACHE.active():
        return
    stamp = None
    if not outage.CACHE.active():
        try:
            stamp = cache.get(STAMP_KEY)
            if stamp is None:
                cache.add(STAMP_KEY, uuid.uuid4().hex, timeout=None)
                stamp = cache.get(STAMP_KEY)
        except outage.CACHE_ERRORS as error:
            outage.CACHE.start(error)
    if stamp is None:
        with _lock:
            _state["services"], _state["rules"], _state["stamp"] = {}, {}, None
        return
    with _lock:
        if stamp != _state["stamp"]:
            _state["services"], _state["rules"] = {}, {}
            _state["stamp"] = stamp
        _state["checked"] = now


def clear():
    """Forget this process's copies (the next read checks the stamp again)."""
    with _lock:
        _state["services"], _state["rules"] = {}, {}
        _state["stamp"], _state["checked"] = None, float("-inf")


def invalidate():
    """Forget the copies here now, and in every process after the commit."""
    with _lock:
        _state["services"], _state["rules"] = {}, {}
        _state["checked"] = float("-inf")

    def stamp():
        with _lock:
            _state["services"], _state["rules"] = {}, {}
        try:
            cache.set(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        except outage.CACHE_ERRORS as error:  # the other processes keep none while it is down
            outage.CACHE.start(error)

    transaction.on_commit(stamp)


def active_service(slug):
    """The active service with this slug (a copy of this process's one), or None."""
    _fresh()
    services = _state["services"]
    if slug not in services:
        services[slug] = Service.objects.filter(slug=slug, active=True).first()
    service = services[slug]
    return copy.copy(service) if service is not None else None


def rules(service_id):
    """The responsibility rules of a service with their teams (copies), in rule order."""
    _fresh()
    cached = _state["rules"]
    if service_id not in cached:
        cached[service_id] = list(
            ResponsibilityRule.objects.filter(service_id=service_id).select_related("team")
        )
    result = []
    for rule in cached[service_id]:
        rule = copy.copy(rule)
        rule.team = copy.copy(rule.team)
        result.append(rule)
    return result


def _changed(**kwargs):
    if not kwargs.get("raw"):
        invalidate()


for _model in (Service, Team, ResponsibilityRule):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"catalogue-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"catalogue-{_model.__name__}-del")
