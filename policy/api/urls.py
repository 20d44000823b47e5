from rest_framework.routers import SimpleRouter

from .views import ProductItemViewSet, ProductServiceViewSet, ProductViewSet

_PRODUCT = r"products/(?P<product_uuid>[0-9a-fA-F-]{36})"

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")
router.register(f"{_PRODUCT}/items", ProductItemViewSet, basename="product-item")
router.register(f"{_PRODUCT}/services", ProductServiceViewSet, basename="product-service")
urlpatterns = router.urls
