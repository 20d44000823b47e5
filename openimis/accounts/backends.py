"""Django's model permissions, read in one query instead of two.

Every API call and page checks named permissions; Django's ModelBackend loads a user's own permissions and their
groups' permissions with two queries. This backend loads both at once (UNION) and keeps them on the user object
for the rest of the request, as Django does. Everything else is Django's.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class OneQueryModelBackend(ModelBackend):
    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
            else:
                own = Permission.objects.filter(user=user_obj).values_list("content_type__app_label", "codename")
                grouped = Permission.objects.filter(group__user=user_obj).values_list(
                    "content_type__app_label", "codename"
                )
                rows = own.union(grouped)
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in rows}
        return user_obj._perm_cache  # type: ignore[no-any-return]
