"""``/training/{start,respond,end,progress}`` and ``/training/sessions[/{id}[/audio/...]]``;
the team pages ``/teams/{id}/assignments[/{id}]``, ``/teams/{id}/progress``,
``/teams/{id}/leaderboard`` and ``/assignments``; each with and without a trailing slash (a
POST is never redirected)."""

from core.api.routers import OptionalSlashRouter
from core.api.viewsets import ID_PATTERN
from training.api.assignments import (
    MyAssignmentViewSet,
    TeamAssignmentViewSet,
    TeamLeaderboardViewSet,
    TeamProgressViewSet,
)
from training.api.views import TrainingSessionViewSet, TrainingViewSet

router = OptionalSlashRouter()
router.register("training/sessions", TrainingSessionViewSet, basename="training-session")
router.register("training", TrainingViewSet, basename="training")
TEAM = rf"teams/(?P<team_id>{ID_PATTERN})"
router.register(rf"{TEAM}/assignments", TeamAssignmentViewSet, basename="team-assignment")
router.register(rf"{TEAM}/progress", TeamProgressViewSet, basename="team-progress")
router.register(rf"{TEAM}/leaderboard", TeamLeaderboardViewSet, basename="team-leaderboard")
router.register("assignments", MyAssignmentViewSet, basename="assignment")

urlpatterns = router.urls
