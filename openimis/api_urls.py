from django.urls import include, path
from rest_framework.routers import SimpleRouter

from openimis.accounts.api import TokenLoginView
from openimis.common.api_jobs import JobViewSet

router = SimpleRouter()
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    path("auth/token/", TokenLoginView.as_view(), name="api-token"),
    path("", include("location.api.urls")),
    path("", include("medical.api.urls")),
    path("", include("payer.api.urls")),
    path("", include("insuree.api.urls")),
    path("", include("policy.api.urls")),
    path("", include("claim.api.urls")),
    *router.urls,
]
