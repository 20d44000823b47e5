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
        _connect_auth_epoch()


def _connect_auth_epoch() -> None:
    """Changes to who may do what drop the API tokens cached by the workers (see accounts/tokens.py)."""
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from rest_framework.authtoken.models import Token

    from .models import User
    from .tokens import bump_auth_epoch

    for model in (User, Token, Group):
        post_save.connect(bump_auth_epoch, sender=model, dispatch_uid=f"auth-epoch-save-{model.__name__}")
        post_delete.connect(bump_auth_epoch, sender=model, dispatch_uid=f"auth-epoch-delete-{model.__name__}")
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(bump_auth_epoch, sender=through, dispatch_uid=f"auth-epoch-m2m-{through.__name__}")
