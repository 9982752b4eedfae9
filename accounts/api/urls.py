from accounts.api.views import AuthViewSet
from core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("auth", AuthViewSet, basename="auth")

urlpatterns = router.urls
