"""``/teams``, their members and invitations, and ``/invitations/accept`` (README.md, "Teams").
A team the caller is not in is a 404; a rep asking for a manager's action gets a 403."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.ratelimit import check_rate_limit, user_or_ip
from core.api.schema import error_responses
from core.api.viewsets import ID_PATTERN
from core.errors import NotFound
from teams import selectors, services
from teams.api.serializers import (
    InvitationAcceptSerializer,
    InvitationInputSerializer,
    InvitationSerializer,
    MemberSerializer,
    MemberUpdateSerializer,
    TeamDetailSerializer,
    TeamInputSerializer,
    TeamSerializer,
    TeamUpdateSerializer,
)
from teams.models import Team


class TeamViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = ID_PATTERN
    serializer_class = TeamSerializer

    def get_queryset(self) -> QuerySet[Team]:
        return selectors.teams_of(self.request.user)

    def _detail(self, team_id: int) -> Response:
        team = self.get_queryset().filter(pk=team_id).first()
        if team is None:
            raise NotFound("No such team.")
        team.member_rows = list(selectors.team_members(team))
        return Response(TeamDetailSerializer(team).data)

    @extend_schema(request=TeamInputSerializer, responses={201: TeamSerializer, **error_responses(400, 401)})
    def create(self, request: Request) -> Response:
        data = TeamInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.team_create(user=request.user, name=data.validated_data["name"])
        return Response(TeamSerializer(self.get_queryset().get(pk=team.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: TeamDetailSerializer, **error_responses(401, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(int(pk))

    @extend_schema(
        request=TeamUpdateSerializer, responses={200: TeamDetailSerializer, **error_responses(400, 401, 403, 404)}
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        team = selectors.managed_team(request.user, int(pk))
        data = TeamUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.team_update(team=team, **data.validated_data)
        return self._detail(team.pk)

    @extend_schema(
        methods=["get"],
        operation_id="team_invitations_list",
        responses={200: InvitationSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @extend_schema(
        methods=["post"],
        operation_id="team_invitations_create",
        request=InvitationInputSerializer,
        responses={201: InvitationSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def invitations(self, request: Request, pk: str) -> Response:
        team = selectors.managed_team(request.user, int(pk))
        if request.method == "GET":
            return Response(InvitationSerializer(selectors.pending_invitations(team), many=True).data)
        check_rate_limit(request, rate_name="team_invitation", key=user_or_ip)
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(team=team, invited_by=request.user, **data.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="team_invitation_revoke",
        request=None,
        responses={204: OpenApiResponse(description="Revoked."), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["delete"], url_path=rf"invitations/(?P<invitation_id>{ID_PATTERN})")
    def invitation(self, request: Request, pk: str, invitation_id: str) -> Response:
        team = selectors.managed_team(request.user, int(pk))
        services.invitation_revoke(team=team, invitation_id=int(invitation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["patch"],
        operation_id="team_member_update",
        request=MemberUpdateSerializer,
        responses={200: MemberSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @extend_schema(
        methods=["delete"],
        operation_id="team_member_remove",
        request=None,
        responses={204: OpenApiResponse(description="Removed."), **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["patch", "delete"], url_path=rf"members/(?P<user_id>{ID_PATTERN})")
    def member(self, request: Request, pk: str, user_id: str) -> Response:
        team = selectors.managed_team(request.user, int(pk))
        if request.method == "DELETE":
            services.member_remove(team=team, user_id=int(user_id))
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_change_role(team=team, user_id=int(user_id), role=data.validated_data["role"])
        return Response(MemberSerializer(membership).data)


class InvitationAcceptViewSet(viewsets.GenericViewSet):
    """``POST /invitations/accept``: the invited user, logged in, joins the team."""

    # What OPTIONS describes (DRF's metadata asks every viewset for a serializer).
    serializer_class = InvitationAcceptSerializer

    @extend_schema(
        operation_id="invitation_accept",
        request=InvitationAcceptSerializer,
        responses={200: TeamSerializer, **error_responses(400, 401, 404, 429)},
    )
    @action(detail=False, methods=["post"], url_path="accept")
    def accept(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="team_invitation_accept", key=user_or_ip)
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team = services.invitation_accept(user=request.user, token=data.validated_data["token"])
        return Response(TeamSerializer(selectors.teams_of(request.user).get(pk=team.pk)).data)
