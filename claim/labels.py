"""Translated labels of the claim codes the pages show: rejection reasons (`claim.checks.REASON_LABELS`, kept in
plain English there because that module is pure) and claim categories."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import checks
from .review import REVIEWER_REJECTION

_REASONS = {
    REVIEWER_REJECTION: _("Rejected by the reviewer"),
    checks.REASON_ACCEPTED: _("Accepted"),
    checks.REASON_NOT_IN_REGISTERS: _("Not in the registers (on a claim: every line was rejected)"),
    checks.REASON_NOT_IN_PRICE_LIST: _("Not in the health facility's price list"),
    checks.REASON_NO_PRODUCT: _("No product of the insuree covers it"),
    checks.REASON_PATIENT_CATEGORY: _("Not for this patient category (gender, adult or child)"),
    checks.REASON_FREQUENCY: _("Given again too soon (frequency)"),
    checks.REASON_INSUREE_NOT_VALID: _("The insuree is not valid"),
    checks.REASON_TARGET_DATE: _("The claim's dates are not valid"),
    checks.REASON_CARE_TYPE: _("Care type (in-patient / out-patient) does not match the facility or the visit"),
    checks.REASON_MAX_HOSPITALISATIONS: _("Maximum number of hospitalisations reached"),
    checks.REASON_MAX_VISITS: _("Maximum number of visits reached"),
    checks.REASON_MAX_CONSULTATIONS: _("Maximum number of consultations reached"),
    checks.REASON_MAX_SURGERIES: _("Maximum number of surgeries reached"),
    checks.REASON_MAX_DELIVERIES: _("Maximum number of deliveries reached"),
    checks.REASON_MAX_QUANTITY: _("Maximum quantity reached"),
    checks.REASON_WAITING_PERIOD: _("Waiting period not over"),
    checks.REASON_MAX_ANTENATAL: _("Maximum number of antenatal contacts reached"),
    checks.REASON_NO_COVER: _("The insuree has no cover on the visit dates"),
}

_CATEGORIES = {
    checks.SURGERY: _("Surgery"),
    checks.DELIVERY: _("Delivery"),
    checks.ANTENATAL: _("Antenatal care"),
    checks.HOSPITALISATION: _("Hospitalisation"),
    checks.CONSULTATION: _("Consultation"),
    checks.OTHER: _("Other"),
    checks.VISIT: _("Visit"),
}


def reason_label(code: int | None) -> str:
    """The rejection reason `code` in the user's language ("" for none); an unknown code is shown by number."""
    if code is None:
        return ""
    label = _REASONS.get(code)
    if label is None:
        return gettext("Reason %(code)s") % {"code": code}
    return str(label)


def category_label(code: str) -> str:
    """A claim category (S, D, A, H, C, O, V) in the user's language; "" when not set yet."""
    label = _CATEGORIES.get(code)
    return str(label) if label is not None else code
