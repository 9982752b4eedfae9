"""The seed's paths, each with and without a trailing slash (a POST is never redirected)."""

from django.urls import re_path

from champions.api.views import ChampionViewSet

ID = r"(?P<pk>[0-9]+)"

urlpatterns = [
    re_path(r"^upload/?$", ChampionViewSet.as_view({"post": "upload"}), name="champion-upload"),
    re_path(rf"^analyze/{ID}/?$", ChampionViewSet.as_view({"post": "analyze"}), name="champion-analyze"),
    re_path(r"^champions/?$", ChampionViewSet.as_view({"get": "list"}), name="champion-list"),
    re_path(
        rf"^champions/{ID}/?$",
        ChampionViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="champion-detail",
    ),
    re_path(rf"^scenarios/{ID}/?$", ChampionViewSet.as_view({"get": "scenarios"}), name="champion-scenarios"),
]
