from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from champions import access, selectors, services, team_services
from champions.api.serializers import (
    ChampionDetailSerializer,
    ChampionListSerializer,
    ChampionStatusSerializer,
    ChampionTeamStatusSerializer,
    MoveInputSerializer,
    PatternSerializer,
    PatternUpdateInputSerializer,
    ScenarioSerializer,
    TranscriptPageSerializer,
    UploadInputSerializer,
)
from champions.models import Champion
from core.api.pagination import SegmentPagination
from core.api.ratelimit import check_rate_limit, user_or_ip
from core.api.schema import error_responses
from core.api.viewsets import ID_PATTERN, OwnedObjectsViewSet, RowListMixin
from core.uploads import SizeLimitedUploadHandler


class ChampionViewSet(RowListMixin, mixins.RetrieveModelMixin, OwnedObjectsViewSet):
    """The champions a user sees (their own and their teams', ``champions.access``):
    ``/upload``, ``/analyze/{id}``, ``/champions``, ``/champions/{id}``, ``/scenarios/{id}``
    (the seed's paths, see ``champions.api.urls``), and the team's review: publish, unpublish,
    move, pattern edits. One it cannot see is a 404; one it sees but may not change, a 403."""

    # The seed's front end calls these at the root, the action before the id.
    root_actions = ("upload", "analyze", "scenarios")

    def get_owned_queryset(self, owner: User) -> QuerySet[Champion]:
        if self.action == "list":
            return selectors.champion_list(user=owner)
        if self.action == "transcript":
            return selectors.champion_transcript_queryset(user=owner)
        return access.visible_champions(owner)

    def get_managed_object(self) -> Champion:
        """The champion of the URL, to change: 404 unseen, 403 seen by a rep."""
        return access.check_can_manage(self.get_object())

    def get_serializer_class(self):
        return ChampionListSerializer if self.action == "list" else ChampionDetailSerializer

    @extend_schema(responses={200: ChampionListSerializer(many=True), **error_responses(401)})
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ChampionDetailSerializer, **error_responses(401, 404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        champion = selectors.champion_detail(user=request.user, champion_id=int(pk))
        return Response(ChampionDetailSerializer(champion, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="champion_transcript",
        parameters=[
            OpenApiParameter("offset", int, description="The first segment (0)."),
            OpenApiParameter("limit", int, description="Segments per page (50, at most 200)."),
        ],
        responses={200: TranscriptPageSerializer, **error_responses(401, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=SegmentPagination)
    def transcript(self, request: Request, pk: str | None = None) -> Response:
        """The transcript's segments with speakers and word timings, a page at a time (the
        detail leaves them out: they grow with the call). Seen by whoever sees the champion."""
        champion = self.get_object()
        head = selectors.joined_transcript_head(champion)
        # The stored segments as they are (TranscriptPageSerializer documents them): running
        # thousands of words through DRF's fields would cost time and change nothing.
        page = self.paginate_queryset(selectors.TranscriptSegments(champion.pk, head))
        response = self.get_paginated_response(page)
        response.data = {
            **response.data,
            "language": head.get("language", ""),
            "duration": head.get("duration", 0.0),
        }
        return response

    @extend_schema(
        operation_id="champion_upload",
        request={"multipart/form-data": UploadInputSerializer},
        responses={201: ChampionStatusSerializer, **error_responses(400, 401, 403, 404, 413, 429, 507)},
    )
    @action(detail=False, methods=["post"])
    def upload(self, request: Request) -> Response:
        check_rate_limit(request, rate_name="upload", key=user_or_ip)
        # Streams the body to a temporary file and stops it at the size limit (413).
        request.upload_handlers = [SizeLimitedUploadHandler(request)]
        data = UploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        champion = services.champion_create_from_upload(
            owner=request.user,
            uploaded_file=data.validated_data["file"],
            name=data.validated_data.get("name", ""),
            champion_speaker=data.validated_data["champion_speaker"],
            team_id=data.validated_data.get("team_id"),
            context=data.validated_data.get("context", ""),
        )
        return Response(ChampionStatusSerializer(champion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="champion_analyze",
        request=None,
        responses={202: ChampionStatusSerializer, **error_responses(401, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def analyze(self, request: Request, pk: str | None = None) -> Response:
        check_rate_limit(request, rate_name="analyze", key=user_or_ip)
        champion = services.champion_analysis_request(champion=self.get_managed_object())
        return Response(ChampionStatusSerializer(champion).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            204: OpenApiResponse(
                description="Deleted with its practice sessions, files, vectors and voice clone; "
                "an analysis in progress stops."
            ),
            **error_responses(401, 403, 404),
        }
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.champion_delete(champion=self.get_managed_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="champion_scenarios",
        responses={200: ScenarioSerializer(many=True), **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def scenarios(self, request: Request, pk: str | None = None) -> Response:
        scenarios = selectors.scenarios_of_ready_champion(champion=self.get_object())
        return Response(ScenarioSerializer(scenarios, many=True).data)

    @extend_schema(
        operation_id="champion_publish",
        request=None,
        responses={200: ChampionTeamStatusSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """The team's reps see the champion (a ready team champion; managers only)."""
        champion = team_services.champion_publish(champion=self.get_managed_object(), by=request.user)
        return Response(ChampionTeamStatusSerializer(champion).data)

    @extend_schema(
        operation_id="champion_unpublish",
        request=None,
        responses={200: ChampionTeamStatusSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def unpublish(self, request: Request, pk: str | None = None) -> Response:
        """Back to a draft, seen by the team's managers only."""
        champion = team_services.champion_unpublish(champion=self.get_managed_object(), by=request.user)
        return Response(ChampionTeamStatusSerializer(champion).data)

    @extend_schema(
        operation_id="champion_move",
        request=MoveInputSerializer,
        responses={200: ChampionTeamStatusSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """The owner's personal champion becomes a draft of a team they manage."""
        champion = self.get_object()
        data = MoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        champion = team_services.champion_move(
            champion=champion, by=request.user, team_id=data.validated_data["team_id"]
        )
        return Response(ChampionTeamStatusSerializer(champion).data)

    @extend_schema(
        operation_id="champion_pattern_update",
        request=PatternUpdateInputSerializer,
        responses={200: PatternSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["patch"], url_path=rf"patterns/(?P<pattern_id>{ID_PATTERN})")
    def patterns(self, request: Request, pattern_id: str, pk: str | None = None) -> Response:
        """Hides a wrong pattern or rewords it (the owner, or the team's managers); audited."""
        champion = self.get_managed_object()
        data = PatternUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pattern = team_services.champion_pattern_update(
            champion=champion, pattern_id=int(pattern_id), by=request.user, **data.validated_data
        )
        return Response(PatternSerializer(pattern).data)
