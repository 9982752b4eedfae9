from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.test import APIRequestFactory
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList
from rest_framework.views import APIView

BODY = {
    "at": datetime(2026, 12, 2, 9, 30, 5, 120034, tzinfo=UTC),
    "elsewhere": datetime(2026, 7, 1, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    "naive": datetime(2026, 1, 1, 8, 0),
    "detail": ErrorDetail("No such champion.", code="not_found"),
    "lazy": gettext_lazy("This field is required."),
    "nested": ReturnDict(
        {"rows": ReturnList([{"score": 7.25, "n": 3, "none": None}], serializer=None)}, serializer=None
    ),
    "text": "Ça coûte 1 200 € — trop cher ?",
}


def test_the_api_renders_what_drfs_json_renderer_renders():
    (renderer_class,) = api_settings.DEFAULT_RENDERER_CLASSES
    ours = renderer_class().render(BODY, "application/json")
    drfs = JSONRenderer().render(BODY, "application/json")
    assert json.loads(ours) == json.loads(drfs)
    assert json.loads(ours)["at"] == "2026-12-02T09:30:05.120034Z"
    assert "Ça coûte".encode() in ours  # UTF-8, not \\u escapes, as DRF's UNICODE_JSON


def test_a_response_is_json_with_drfs_media_type():
    class View(APIView):
        authentication_classes, permission_classes = (), ()

        def get(self, request):
            return Response({"ok": True})

    response = View.as_view()(APIRequestFactory().get("/"))
    response.render()
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"ok":true}'
