"""``/training/{start,respond,end,progress}`` and ``/training/sessions[/{id}[/audio/...]]``,
each with and without a trailing slash (a POST is never redirected)."""

from core.api.routers import OptionalSlashRouter
from training.api.views import TrainingSessionViewSet, TrainingViewSet

router = OptionalSlashRouter()
router.register("training/sessions", TrainingSessionViewSet, basename="training-session")
router.register("training", TrainingViewSet, basename="training")

urlpatterns = router.urls
