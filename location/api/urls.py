from rest_framework.routers import SimpleRouter

from .views import HealthFacilityViewSet, LocationViewSet

router = SimpleRouter()
router.register("locations", LocationViewSet, basename="location")
router.register("health-facilities", HealthFacilityViewSet, basename="health-facility")
urlpatterns = router.urls
