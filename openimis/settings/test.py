"""Settings for the test suite: the same real PostgreSQL and Redis, isolated names."""

import hashlib
import os

from .base import *  # noqa: F403

CACHES["default"]["KEY_PREFIX"] = env("CACHE_PREFIX", default="openimis-test")  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media")))  # noqa: F405
# Each test run has its own queue, so a demo worker on the same Redis never takes a test's tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default=f"openimis-test-{os.getpid()}")  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
_checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]  # noqa: F405
# One test database per checkout, or per run when TEST_DB_PER_RUN is set (several test runs at once).
_run = f"_{os.getpid()}" if os.environ.get("TEST_DB_PER_RUN") else ""
DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_checkout}{_run}"}  # noqa: F405

# No random sample for review in tests (the tests that exercise it set a share); flags stay on.
CLAIM_REVIEW_RANDOM_PERCENT = 0.0

# A message taken by a worker that dies (acks late) is delivered again once it is older than the visibility timeout;
# the test that kills a worker lowers it in the environment of the worker it starts next.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
