from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from champions import selectors, services
from champions.api.serializers import (
    ChampionDetailSerializer,
    ChampionListSerializer,
    ChampionStatusSerializer,
    ScenarioSerializer,
    UploadInputSerializer,
)
from champions.models import Champion
from core.api.ratelimit import check_rate_limit, user_or_ip
from core.api.schema import error_responses
from core.api.viewsets import OwnedObjectsViewSet
from core.uploads import SizeLimitedUploadHandler


class ChampionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OwnedObjectsViewSet):
    """A user's champions: ``/upload``, ``/analyze/{id}``, ``/champions``, ``/champions/{id}``
    and ``/scenarios/{id}`` (the seed's paths, see ``champions.api.urls``)."""

    # The seed's front end calls these at the root, the action before the id.
    root_actions = ("upload", "analyze", "scenarios")

    def get_owned_queryset(self, owner: User) -> QuerySet[Champion]:
        if self.action == "list":
            return selectors.champion_list(owner=owner)
        if self.action == "retrieve":
            return selectors.champion_detail_queryset(owner=owner)
        return Champion.objects.filter(owner=owner)

    def get_serializer_class(self):
        return ChampionListSerializer if self.action == "list" else ChampionDetailSerializer

    @extend_schema(responses={200: ChampionListSerializer(many=True), **error_responses(401)})
    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: ChampionDetailSerializer, **error_responses(401, 404)})
    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        operation_id="champion_upload",
        request={"multipart/form-data": UploadInputSerializer},
        responses={201: ChampionStatusSerializer, **error_responses(400, 401, 413, 429)},
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
        )
        return Response(ChampionStatusSerializer(champion).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="champion_analyze",
        request=None,
        responses={202: ChampionStatusSerializer, **error_responses(401, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"])
    def analyze(self, request: Request, pk: str | None = None) -> Response:
        check_rate_limit(request, rate_name="analyze", key=user_or_ip)
        champion = services.champion_analysis_request(champion=self.get_object())
        return Response(ChampionStatusSerializer(champion).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            204: OpenApiResponse(
                description="Deleted with its practice sessions, files, vectors and voice clone; "
                "an analysis in progress stops."
            ),
            **error_responses(401, 404),
        }
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.champion_delete(champion=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="champion_scenarios",
        responses={200: ScenarioSerializer(many=True), **error_responses(401, 404, 409)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def scenarios(self, request: Request, pk: str | None = None) -> Response:
        scenarios = selectors.scenarios_of_ready_champion(champion=self.get_object())
        return Response(ScenarioSerializer(scenarios, many=True).data)
