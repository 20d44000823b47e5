from rest_framework.routers import SimpleRouter

from .views import FamilyViewSet, InsureeViewSet

router = SimpleRouter()
router.register("families", FamilyViewSet, basename="family")
router.register("insurees", InsureeViewSet, basename="insuree")
urlpatterns = router.urls
try:  # card and enquiry endpoints, added by their module
    from .card_urls import urlpatterns as _card

    urlpatterns += _card
except ImportError:
    pass
