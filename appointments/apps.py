from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self):
        from django.core import checks

        from wiesbaden_abh.checks import booking_protections

        checks.register(booking_protections, checks.Tags.security)
