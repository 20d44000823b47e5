"""Loads the demo data set of every app that has a `demo` module, in the order of INSTALLED_APPS.

Each `<app>/demo.py` exposes `load(out) -> list[tuple[str, str, str]]` returning demo logins
(role, user name, what they see) and must be idempotent: running it again changes nothing.
"""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

import pghistory
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_PASSWORD = "openimis-demo"


class Command(BaseCommand):
    help = "Loads (or refreshes) the demo country, facilities and one user per role."

    def handle(self, *args: Any, **options: Any) -> None:
        logins: list[tuple[str, str, str]] = []
        with transaction.atomic(), pghistory.context(command="load_demo"):
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                logins += import_module(module_name).load(self.stdout, password=DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max((len(u) for _r, u, _s in logins), default=10)
        for role, username, scope in logins:
            self.stdout.write(f"  {username.ljust(width)}  {role} - {scope}")
