"""DRF's content negotiation with a fast path for what every client of this API sends.

Each request of a JSON-only view parsed its ``Accept`` header into media types and matched
them against the one renderer (issue 13: 20-30 µs of a served read). When the view has a
single renderer and the client asks for nothing in particular (no ``Accept``, ``*/*``) or for
exactly that renderer's type, with no ``?format=``, the answer is that renderer and its media
type: what ``DefaultContentNegotiation`` returns in those cases. Anything else is negotiated
as before (a 406 for a type we do not serve).
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if len(renderers) == 1 and not format_suffix:
            renderer = renderers[0]
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            if (accept == "*/*" or accept == renderer.media_type) and (
                self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            ):
                return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)
