"""The main menu: each entry is shown to users holding its permission; a group shows when one of its entries does.

Apps add their entries here. An entry is (label, url name, permission or None, icon); a group is
(label, None, None, icon, [entries]).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

NAV_ENTRIES: list[tuple[Any, ...]] = [
    (_("Home"), "home", None, "house"),
    (_("Dashboard"), "dashboard:dashboard", "dashboard.view_dashboard", "speedometer2"),
    (_("Enquiry"), "insuree:enquiry", "insuree.enquire_insuree", "upc-scan"),
    (
        _("Families"),
        None,
        None,
        "people-fill",
        [
            (_("Families and insurees"), "insuree:family_list", "insuree.view_family", "house-heart"),
            (_("Register a family"), "insuree:family_register", "insuree.add_family", "person-plus"),
            (_("Suspected duplicates"), "insuree:duplicate_list", "insuree.change_insuree", "people"),
            (_("Card printing"), "insuree:card_batches", "insuree.print_card", "postcard"),
            (_("Card stock"), "insuree:card_stock", "insuree.manage_card_stock", "stack"),
        ],
    ),
    (
        _("Policies"),
        None,
        None,
        "shield-check",
        [
            (_("Policies"), "policy:policy_list", "policy.view_policy", "card-checklist"),
            (_("Renewals"), "policy:renewal_list", "policy.view_policyrenewal", "arrow-repeat"),
            (_("Eligibility"), "policy:eligibility", "insuree.enquire_insuree", "clipboard2-check"),
        ],
    ),
    (
        _("Claims"),
        None,
        None,
        "receipt",
        [
            (_("Claims"), "claim:claim_list", "claim.view_claim", "receipt"),
            (_("New claim"), "claim:claim_create", "claim.add_claim", "file-earmark-plus"),
            (_("Review queue"), "claim:review_queue", "claim.review_claim", "clipboard-check"),
            (_("Feedback"), "claim:feedback_list", "claim.feedback_claim", "chat-square-text"),
            (_("Batch runs"), "batch:run_list", "batch.view_batchrun", "calculator"),
        ],
    ),
    (
        _("Scheme set-up"),
        None,
        None,
        "sliders",
        [
            (_("Locations"), "location:location_list", "location.view_location", "geo-alt"),
            (_("Health facilities"), "location:facility_list", "location.view_healthfacility", "hospital"),
            (_("Products"), "policy:product_list", "policy.view_product", "box-seam"),
            (_("Medical items"), "medical:item_list", "medical.view_item", "capsule"),
            (_("Medical services"), "medical:service_list", "medical.view_service", "clipboard2-pulse"),
            (_("Diagnoses"), "medical:diagnosis_list", "medical.view_diagnosis", "journal-medical"),
            (_("Price lists"), "medical:pricelist_list", "medical.view_itempricelist", "tags"),
            (_("Payers"), "payer:payer_list", "payer.view_payer", "bank"),
        ],
    ),
    (_("Reports"), "reports:report_list", "reports.run_report", "file-earmark-bar-graph"),
    (_("Users"), "location:user_list", "accounts.view_user", "people"),
    (_("Jobs"), "common:job_list", None, "hourglass-split"),
]
