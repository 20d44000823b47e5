from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimConfig(AppConfig):
    name = "claim"
    verbose_name = _("Claims")
