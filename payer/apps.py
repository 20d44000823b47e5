from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayerConfig(AppConfig):
    name = "payer"
    verbose_name = _("Payers")
