from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkersConfig(AppConfig):
    name = "caseworkers"
    verbose_name = _("Backoffice")
