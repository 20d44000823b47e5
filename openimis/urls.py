from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from openimis.accounts.views import set_language
from openimis.common.views import healthz

from . import views

handler403 = "openimis.errors.forbidden"
handler404 = "openimis.errors.not_found"
handler500 = "openimis.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("openimis.accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("openimis.common.urls")),
    path("", include("location.urls")),
    path("", include("medical.urls")),
    path("", include("payer.urls")),
    path("", include("insuree.urls")),
    path("", include("policy.urls")),
    path("", include("claim.urls")),
    path("", include("batch.urls")),
    path("", include("reports.urls")),
    path("", include("dashboard.urls")),
    path("api/v1/", include("openimis.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
