"""The roles of the scheme (reference sec. 8.2) as Django groups holding named permissions.

Each role lists the permissions it grants as "app_label.codename". Permissions of apps that are not installed
yet are skipped, so a later app only has to add its codenames here. `sync_roles` makes the groups match this
table exactly and is idempotent; it runs after every `migrate`.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

VIEW_GEO = ["location.view_location", "location.view_healthfacility"]
MANAGE_GEO = [
    "location.add_location",
    "location.change_location",
    "location.manage_top_locations",
    "location.import_locations",
    "location.add_healthfacility",
    "location.change_healthfacility",
]

PROJECT_APPS = {
    "accounts", "common", "location", "medical", "payer", "insuree", "policy", "claim", "batch", "reports", "dashboard",
}  # fmt: skip

MEDICAL_MODELS = ["item", "service", "diagnosis", "itempricelist", "servicepricelist"]
VIEW_MEDICAL = [f"medical.view_{m}" for m in MEDICAL_MODELS]
MANAGE_MEDICAL = [f"medical.{a}_{m}" for m in MEDICAL_MODELS for a in ("add", "change", "delete")] + [
    "medical.import_registers",
    "location.change_healthfacility",
]
VIEW_PRODUCTS = ["policy.view_product"]
MANAGE_PRODUCTS = ["policy.add_product", "policy.change_product", "policy.delete_product"]
VIEW_PAYERS = ["payer.view_payer"]
MANAGE_PAYERS = ["payer.add_payer", "payer.change_payer", "payer.delete_payer"]

ENROL = [f"insuree.{a}_{m}" for m in ("family", "insuree") for a in ("add", "change", "view", "delete")] + [
    "insuree.enquire_insuree",
    "insuree.print_card",
    "insuree.import_families",
]
ENQUIRE = ["insuree.view_insuree", "insuree.view_family", "insuree.enquire_insuree", "policy.view_policy"]
VIEW_POLICIES = ["policy.view_policy", "policy.view_contribution", "policy.view_policyrenewal"]
SELL_POLICIES = [
    *VIEW_POLICIES,
    "policy.add_policy",
    "policy.change_policy",
    "policy.delete_policy",
    "policy.renew_policy",
    "policy.add_contribution",
    "policy.change_policyrenewal",
]
VIEW_CLAIMS = ["claim.view_claim"]
ENTER_CLAIMS = [*VIEW_CLAIMS, "claim.add_claim", "claim.change_claim", "claim.delete_claim", "claim.submit_claim"]
REVIEW_CLAIMS = [
    *VIEW_CLAIMS,
    "claim.review_claim",
    "claim.select_claim",
    "claim.feedback_claim",
    "claim.process_claim",
]
# the monthly batch run (valuation of relative-price claims): accountants and scheme administrators (issue 7)
RUN_BATCH = ["batch.add_batchrun", "batch.view_batchrun"]
# the standard reports (issue 8): managers, accountants and scheme administrators
REPORTS = ["reports.run_report"]
# the dashboard (issue 8): the page, and the panels each role reads on it
DASHBOARD = "dashboard.view_dashboard"
ENROLMENT_FIGURES = [DASHBOARD, "dashboard.view_enrolment_figures"]
CLAIM_FIGURES = [DASHBOARD, "dashboard.view_claim_figures"]
MONEY_FIGURES = [DASHBOARD, "dashboard.view_money_figures"]
ALL_FIGURES = sorted({*ENROLMENT_FIGURES, *CLAIM_FIGURES, *MONEY_FIGURES})
SUPERVISE_POLICIES = [*VIEW_POLICIES, "policy.suspend_policy", "policy.activate_policy", "policy.cancel_contribution"]

ENROLMENT_OFFICER = "enrolment_officer"
CLERK = "clerk"
RECEPTIONIST = "receptionist"
CLAIM_ADMINISTRATOR = "claim_administrator"
MEDICAL_OFFICER = "medical_officer"
ACCOUNTANT = "accountant"
MANAGER = "manager"
SCHEME_ADMINISTRATOR = "scheme_administrator"
SYSTEM_ADMINISTRATOR = "system_administrator"

ROLES: dict[str, dict[str, Any]] = {
    ENROLMENT_OFFICER: {
        "label": _("Enrolment officer"),
        # enrolment officers also ask insurees about the care a claim says they received (feedback)
        "perms": [
            *VIEW_GEO,
            *VIEW_PRODUCTS,
            *VIEW_PAYERS,
            *ENROL,
            *SELL_POLICIES,
            "claim.feedback_claim",
            *ENROLMENT_FIGURES,
        ],
    },
    CLERK: {"label": _("Clerk"), "perms": [*VIEW_GEO, *VIEW_PRODUCTS, *VIEW_PAYERS, *ENROL, *SELL_POLICIES]},
    RECEPTIONIST: {"label": _("Receptionist"), "perms": [*VIEW_GEO, *VIEW_PRODUCTS, *ENQUIRE]},
    CLAIM_ADMINISTRATOR: {
        "label": _("Claim administrator"),
        "perms": [*VIEW_GEO, *VIEW_MEDICAL, *ENQUIRE, *ENTER_CLAIMS],
    },
    MEDICAL_OFFICER: {
        "label": _("Medical officer"),
        "perms": [*VIEW_GEO, *VIEW_MEDICAL, *VIEW_PRODUCTS, *ENQUIRE, *REVIEW_CLAIMS, *CLAIM_FIGURES],
    },
    ACCOUNTANT: {
        "label": _("Accountant"),
        "perms": [
            *VIEW_GEO,
            *VIEW_PRODUCTS,
            *VIEW_PAYERS,
            *SUPERVISE_POLICIES,
            "insuree.view_family",
            *RUN_BATCH,
            *REPORTS,
            *ENROLMENT_FIGURES,
            *MONEY_FIGURES,
        ],
    },
    MANAGER: {
        "label": _("Manager"),
        "perms": [
            *VIEW_GEO,
            *VIEW_MEDICAL,
            *VIEW_PRODUCTS,
            *VIEW_PAYERS,
            *VIEW_POLICIES,
            "insuree.view_family",
            *REPORTS,
            *ALL_FIGURES,
        ],
    },
    SCHEME_ADMINISTRATOR: {
        "label": _("Scheme administrator"),
        "perms": [
            *VIEW_GEO,
            *MANAGE_GEO,
            *VIEW_MEDICAL,
            *MANAGE_MEDICAL,
            *VIEW_PRODUCTS,
            *MANAGE_PRODUCTS,
            *VIEW_PAYERS,
            *MANAGE_PAYERS,
            *ENQUIRE,
            *SUPERVISE_POLICIES,
            "insuree.manage_card_stock",
            "insuree.print_card",
            *RUN_BATCH,
            *REPORTS,
            *ALL_FIGURES,
        ],
    },
    SYSTEM_ADMINISTRATOR: {
        "label": _("System administrator"),
        "perms": [
            *VIEW_GEO,
            *MANAGE_GEO,
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "location.grant_scope",
        ],
    },
}


def _permissions(names: list[str]) -> list[Permission]:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def sync_roles() -> None:
    for key, role in ROLES.items():
        group, _created = Group.objects.get_or_create(name=key)
        group.permissions.set(_permissions(role["perms"]))


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    # Permission rows are created per app just before this runs; syncing after each project app is cheap
    # and leaves the groups complete once the last one has migrated.
    if sender.label in PROJECT_APPS:
        sync_roles()


def role_label(key: str) -> str:
    role = ROLES.get(key)
    return str(role["label"]) if role else key
