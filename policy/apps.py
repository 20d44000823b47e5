from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "policy"
    verbose_name = _("Products and policies")

    def ready(self) -> None:
        from insuree.hooks import membership_hooks

        from . import tasks  # noqa: F401 - registers the nightly task
        from .enrolment import membership_changed

        if membership_changed not in membership_hooks:
            membership_hooks.append(membership_changed)
