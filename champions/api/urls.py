"""``/champions``, ``/champions/{id}``, and the actions the seed calls at the root:
``/upload``, ``/analyze/{id}``, ``/scenarios/{id}`` (each with and without a trailing slash)."""

from champions.api.views import ChampionViewSet
from core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("champions", ChampionViewSet, basename="champion")

urlpatterns = router.urls
