from rest_framework.routers import SimpleRouter

from .views import (
    DiagnosisViewSet,
    FacilityPriceListsViewSet,
    ItemPriceListViewSet,
    ItemViewSet,
    ServicePriceListViewSet,
    ServiceViewSet,
)

router = SimpleRouter()
router.register("medical-items", ItemViewSet, basename="medical-item")
router.register("medical-services", ServiceViewSet, basename="medical-service")
router.register("diagnoses", DiagnosisViewSet, basename="diagnosis")
router.register("item-price-lists", ItemPriceListViewSet, basename="item-price-list")
router.register("service-price-lists", ServicePriceListViewSet, basename="service-price-list")
router.register("facility-price-lists", FacilityPriceListsViewSet, basename="facility-price-lists")
urlpatterns = router.urls
