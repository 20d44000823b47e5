"""API token authentication that does not reload the same user three times a second.

Facility systems call the API (eligibility above all) with a token many times a minute. Loading the token's user,
their permissions and their scope costs three queries per call; here the authenticated user object, which keeps
its permissions and scope once read (`_perm_cache`, `location.scope`), is kept in the worker process:
- for at most `AUTH_CACHE_SECONDS` (settings, default 30 s);
- and only while the shared "auth epoch" (a counter in the Redis cache) is unchanged. Every change that can alter
  what a token may do bumps the epoch: a token deleted, a user saved (deactivated, made superuser, ...), a user's
  groups or direct permissions changed, a group's permissions changed, a scope grant added or removed
  (`bump_auth_epoch`, connected to those models' signals). Each call reads the epoch (one Redis GET, far cheaper
  than the three queries), so such a change applies from the next call in every worker. Only raw SQL that
  bypasses the ORM waits for the 30 s to pass.
When Redis cannot be reached, nothing is cached: every call authenticates against the database.
"""

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.authentication import TokenAuthentication

EPOCH_KEY = "accounts:auth-epoch"
MAX_ENTRIES = 10_000

_entries: dict[str, tuple[float, int, Any, Any]] = {}  # token key -> (expires at, epoch, user, token)


def _epoch() -> int | None:
    try:
        return int(cache.get(EPOCH_KEY, 0))
    except RedisError:
        return None


def bump_auth_epoch(*args: Any, **kwargs: Any) -> None:
    """Signal receiver: whatever changed, every worker drops its cached tokens at its next call."""
    _entries.clear()
    try:
        cache.add(EPOCH_KEY, 0, timeout=None)
        cache.incr(EPOCH_KEY)
    except (RedisError, ValueError):
        cache.delete(EPOCH_KEY)


class CachedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        epoch = _epoch()
        now = time.monotonic()
        hit = _entries.get(key)
        if epoch is not None and hit is not None and hit[0] > now and hit[1] == epoch:
            return hit[2], hit[3]
        user, token = super().authenticate_credentials(key)
        if epoch is not None:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (now + getattr(settings, "AUTH_CACHE_SECONDS", 30), epoch, user, token)
        return user, token
