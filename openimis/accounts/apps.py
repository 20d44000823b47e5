from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "openimis.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from .roles import sync_roles_after_migrate

        # Roles are configuration that every database must have; re-synced after each migrate.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts-sync-roles")
