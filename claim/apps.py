from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimConfig(AppConfig):
    name = "claim"
    verbose_name = _("Claims")

    def ready(self) -> None:
        from policy.eligibility import USAGE_SOURCES

        from .usage import claims_usage

        # the eligibility enquiry counts what a person has used from their claims
        if claims_usage not in USAGE_SOURCES:
            USAGE_SOURCES.append(claims_usage)
