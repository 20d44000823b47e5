from rest_framework.routers import SimpleRouter

from .views import ClaimViewSet

router = SimpleRouter()
router.register("claims", ClaimViewSet, basename="claim")
urlpatterns = router.urls
