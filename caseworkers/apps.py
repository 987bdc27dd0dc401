from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from . import checks  # noqa: F401  (registers the deploy check of the second factor)


class CaseworkersConfig(AppConfig):
    name = "caseworkers"
    verbose_name = _("Backoffice")

    def ready(self):
        # Staff sessions: a browser-session cookie and the idle clock start at the login
        # (also for force_login), see wiesbaden_abh.sessions.
        from wiesbaden_abh.sessions import start_staff_session

        user_logged_in.connect(start_staff_session, dispatch_uid="staff-session-start")
