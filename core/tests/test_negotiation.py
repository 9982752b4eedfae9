"""The API's content negotiation (``core.api.negotiation``) answers what DRF's own does, the
common cases without parsing the Accept header."""

from __future__ import annotations

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.api.negotiation import ContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "application/*",
    "text/html, */*;q=0.8",
    "text/html",
    "application/xml",
    "",
]


def outcome(negotiation, accept: str | None, query: str = "", renderers=None):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/x{query}", **headers))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers or [JSONRenderer()])
    except Exception as exc:  # what each raises is part of the comparison
        return type(exc).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=xml"])
def test_the_same_renderer_and_media_type_as_drf(accept, query):
    assert outcome(ContentNegotiation(), accept, query) == outcome(DefaultContentNegotiation(), accept, query)


def test_two_renderers_are_negotiated_as_usual():
    class Html(JSONRenderer):
        media_type, format = "text/html", "html"

    renderers = [JSONRenderer(), Html()]
    for accept in ACCEPTS:
        assert outcome(ContentNegotiation(), accept, renderers=renderers) == outcome(
            DefaultContentNegotiation(), accept, renderers=renderers
        )


def test_the_api_answers_json_or_406(api_client):
    assert api_client.get("/auth/me").headers["Content-Type"] == "application/json"
    assert api_client.get("/auth/me", HTTP_ACCEPT="*/*").status_code == 200
    assert api_client.get("/auth/me", HTTP_ACCEPT="text/html").status_code == 406
