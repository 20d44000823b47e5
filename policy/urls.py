from django.urls import path, register_converter

from . import policy_views as pv
from . import views


class LineKindConverter:
    """The two kinds of product lines in URLs: /items/ and /services/."""

    regex = "items|services"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LineKindConverter, "policy_lines")

app_name = "policy"
urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<uuid:uuid>/", views.product_detail, name="product_detail"),
    path("products/<uuid:uuid>/edit/", views.product_edit, name="product_edit"),
    path("products/<uuid:uuid>/copy/", views.product_copy, name="product_copy"),
    path("products/<uuid:uuid>/close/", views.product_close, name="product_close"),
    path("products/<uuid:uuid>/delete/", views.product_delete, name="product_delete"),
    path("products/<uuid:uuid>/<policy_lines:kind>/add/", views.product_lines_add, name="product_lines_add"),
    path("products/<uuid:uuid>/<policy_lines:kind>/remove/", views.product_lines_remove, name="product_lines_remove"),
    path("products/<uuid:uuid>/<policy_lines:kind>/<uuid:target>/", views.product_line_edit, name="product_line_edit"),
    # policies, contributions, renewal reminders, eligibility (policy_views.py)
    path("policies/", pv.policy_list, name="policy_list"),
    path("policies/renewals/", pv.renewal_list, name="renewal_list"),
    path("policies/renewals/<uuid:uuid>/dismiss/", pv.renewal_dismiss, name="renewal_dismiss"),
    path("policies/eligibility/", pv.eligibility_page, name="eligibility"),
    path("policies/eligibility/summary/", pv.eligibility_summary, name="eligibility_summary"),
    path("policies/family/<uuid:uuid>/", pv.family_policies, name="family_policies"),
    path("policies/family/<uuid:uuid>/new/", pv.policy_create, name="policy_create"),
    path("policies/family/<uuid:uuid>/new/preview/", pv.policy_create_preview, name="policy_create_preview"),
    path("policies/<uuid:uuid>/", pv.policy_detail, name="policy_detail"),
    path("policies/<uuid:uuid>/edit/", pv.policy_edit, name="policy_edit"),
    path("policies/<uuid:uuid>/renew/", pv.policy_renew, name="policy_renew"),
    path("policies/<uuid:uuid>/preview/", pv.policy_terms_preview, name="policy_terms_preview"),
    path("policies/<uuid:uuid>/delete/", pv.policy_delete, name="policy_delete"),
    path("policies/<uuid:uuid>/suspend/", pv.policy_suspend, name="policy_suspend"),
    path("policies/<uuid:uuid>/resume/", pv.policy_resume, name="policy_resume"),
    path("policies/<uuid:uuid>/activate/", pv.policy_activate, name="policy_activate"),
    path("policies/<uuid:uuid>/contributions/", pv.contribution_add, name="contribution_add"),
    path("contributions/<uuid:uuid>/cancel/", pv.contribution_cancel, name="contribution_cancel"),
    path("contributions/<uuid:uuid>/receipt.pdf", pv.contribution_receipt, name="contribution_receipt"),
]
