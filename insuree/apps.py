from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsureeConfig(AppConfig):
    name = "insuree"
    verbose_name = _("Families and insurees")
