"""Settings for `make demo` on a workstation or an office server without TLS."""

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=False)  # noqa: F405
