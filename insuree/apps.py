from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsureeConfig(AppConfig):
    name = "insuree"
    verbose_name = _("Families and insurees")

    def ready(self) -> None:
        # Registers the card-printing and import tasks and their job labels.
        from . import card_tasks, import_tasks  # noqa: F401
