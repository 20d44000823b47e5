from rest_framework.routers import SimpleRouter

from .views import PayerViewSet

router = SimpleRouter()
router.register("payers", PayerViewSet, basename="payer")
urlpatterns = router.urls
