from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self):
        # Importing at ready() is Django's way to hook into start-up: the system checks
        # register themselves, and the Celery tasks become known by name in every process
        # (web too), so background.enqueue can send them without importing tasks.py; the
        # catalogue cache connects the signals that invalidate it.
        from . import catalogue_cache, checks, tasks  # noqa: F401
