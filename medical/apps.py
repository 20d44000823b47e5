from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MedicalConfig(AppConfig):
    name = "medical"
    verbose_name = _("Medical registers and price lists")

    def ready(self) -> None:
        from openimis.common.models import JOB_KINDS

        from .services.imports import IMPORT_KINDS

        JOB_KINDS.update({kind.job_kind: kind.label for kind in IMPORT_KINDS.values()})
