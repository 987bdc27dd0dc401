from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import checks  # noqa: F401  (registers the deploy check of the second factor)


class CaseworkersConfig(AppConfig):
    name = "caseworkers"
    verbose_name = _("Backoffice")
