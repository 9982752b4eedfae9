"""JSON parsing that answers 400 to every undecodable body."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSONParser turns ``ValueError`` into a 400 but lets ``RecursionError`` through: a
    body of a few hundred thousand nested brackets was a 500 (and an ErrorLog row) that anyone
    could send without an account."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
