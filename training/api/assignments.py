"""The team pages of training (README.md, "Teams"): ``/teams/{id}/assignments`` (managers
assign, list and cancel), ``/assignments`` (the caller's own), ``/teams/{id}/progress``
(managers follow their members) and ``/teams/{id}/leaderboard`` (members, when the team turned
it on). A team the caller is not in is a 404 (``teams.selectors``); a rep asking for a
manager's page gets a 403."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.schema import error_responses
from core.api.viewsets import ID_PATTERN
from teams import selectors as team_selectors
from training import services
from training.api.assignment_serializers import (
    AssignmentInputSerializer,
    LeaderboardEntrySerializer,
    LeaderboardFilterSerializer,
    MemberProgressSerializer,
    MyAssignmentSerializer,
    ProgressFilterSerializer,
    TeamAssignmentSerializer,
)
from training.models import Assignment
from training.services.leaderboard import DEFAULT_DAYS, MAX_DAYS

TEAM_ID = OpenApiParameter("team_id", int, OpenApiParameter.PATH, description="The team's id.")


class TeamAssignmentViewSet(viewsets.GenericViewSet):
    """``/teams/{team_id}/assignments[/{id}]``: the team's managers only."""

    lookup_value_regex = ID_PATTERN
    # For the schema's path parameter; every query goes through the team's scope below.
    queryset = Assignment.objects.none()
    serializer_class = TeamAssignmentSerializer

    def _team(self):
        return team_selectors.managed_team(self.request.user, int(self.kwargs["team_id"]))

    @extend_schema(
        operation_id="team_assignments_list",
        parameters=[TEAM_ID],
        responses={200: TeamAssignmentSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def list(self, request: Request, team_id: str) -> Response:
        page = self.paginate_queryset(services.team_assignments(self._team()))
        body = TeamAssignmentSerializer(page, many=True, context={"now": timezone.now()}).data
        return self.get_paginated_response(body)

    @extend_schema(
        operation_id="team_assignments_create",
        parameters=[TEAM_ID],
        request=AssignmentInputSerializer,
        responses={201: TeamAssignmentSerializer, **error_responses(400, 401, 403, 404)},
    )
    def create(self, request: Request, team_id: str) -> Response:
        team = self._team()
        data = AssignmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_create(team=team, created_by=request.user, **data.validated_data)
        created = services.team_assignments(team).get(pk=assignment.pk)
        return Response(TeamAssignmentSerializer(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="team_assignment_cancel",
        parameters=[TEAM_ID],
        responses={204: OpenApiResponse(description="Cancelled."), **error_responses(401, 403, 404)},
    )
    def destroy(self, request: Request, team_id: str, pk: str) -> Response:
        services.assignment_cancel(team=self._team(), assignment_id=int(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAssignmentViewSet(viewsets.GenericViewSet):
    """``GET /assignments``: the caller's assignments, in the teams they are still in."""

    serializer_class = MyAssignmentSerializer

    @extend_schema(
        operation_id="assignments_list", responses={200: MyAssignmentSerializer(many=True), **error_responses(401)}
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(services.my_assignments(request.user))
        body = MyAssignmentSerializer(page, many=True, context={"now": timezone.now()}).data
        return self.get_paginated_response(body)


class TeamProgressViewSet(viewsets.GenericViewSet):
    """``GET /teams/{team_id}/progress``: the team's managers only. Every current member, not
    paginated (a team is tens of people; the query count does not grow with them)."""

    serializer_class = MemberProgressSerializer
    pagination_class = None

    @extend_schema(
        operation_id="team_progress",
        parameters=[
            TEAM_ID,
            OpenApiParameter("champion_id", int, description="Only this champion of the team (else 400)."),
            OpenApiParameter("since", str, description="ISO 8601: only sessions completed from then on."),
        ],
        responses={200: MemberProgressSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request, team_id: str) -> Response:
        team = team_selectors.managed_team(request.user, int(team_id))
        filters = ProgressFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = services.team_progress(team=team, **filters.validated_data)
        return Response(MemberProgressSerializer(rows, many=True).data)


class TeamLeaderboardViewSet(viewsets.GenericViewSet):
    """``GET /teams/{team_id}/leaderboard``: every member, once a manager turned it on (403
    until then: the team exists for the caller, the page is off)."""

    serializer_class = LeaderboardEntrySerializer
    pagination_class = None

    @extend_schema(
        operation_id="team_leaderboard",
        parameters=[
            TEAM_ID,
            OpenApiParameter(
                "days",
                int,
                description=f"The period, in days (1 to {MAX_DAYS}; {DEFAULT_DAYS}).",
            ),
        ],
        responses={200: LeaderboardEntrySerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request, team_id: str) -> Response:
        team = team_selectors.membership_of(request.user, int(team_id)).team
        filters = LeaderboardFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = services.team_leaderboard(team=team, days=filters.validated_data["days"])
        return Response(LeaderboardEntrySerializer(rows, many=True).data)
