"""``/teams`` (members and invitations under it) and ``/invitations/accept``, each with and
without a trailing slash."""

from core.api.routers import OptionalSlashRouter
from teams.api.views import InvitationAcceptViewSet, TeamViewSet

router = OptionalSlashRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("invitations", InvitationAcceptViewSet, basename="invitation")

urlpatterns = router.urls
