from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LocationConfig(AppConfig):
    name = "location"
    verbose_name = _("Locations and health facilities")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from openimis.accounts.tokens import bump_auth_epoch

        from .models import HealthFacilityUserObjectPermission, LocationUserObjectPermission

        # A scope grant added or removed changes what a user's cached API token may reach.
        for model in (LocationUserObjectPermission, HealthFacilityUserObjectPermission):
            post_save.connect(bump_auth_epoch, sender=model, dispatch_uid=f"auth-epoch-save-{model.__name__}")
            post_delete.connect(bump_auth_epoch, sender=model, dispatch_uid=f"auth-epoch-delete-{model.__name__}")
