from django.urls import path
from rest_framework.routers import SimpleRouter

from .policy_views import ContributionViewSet, EligibilityView, PolicyRenewalViewSet, PolicyViewSet
from .views import ProductItemViewSet, ProductServiceViewSet, ProductViewSet

_PRODUCT = r"products/(?P<product_uuid>[0-9a-fA-F-]{36})"

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register(f"{_PRODUCT}/items", ProductItemViewSet, basename="product-item")
router.register(f"{_PRODUCT}/services", ProductServiceViewSet, basename="product-service")
router.register("policies/renewals", PolicyRenewalViewSet, basename="policy-renewal")
router.register("policies", PolicyViewSet, basename="policy")
router.register("contributions", ContributionViewSet, basename="contribution")
urlpatterns = [
    *router.urls,
    path("eligibility/", EligibilityView.as_view(), name="eligibility"),
]
