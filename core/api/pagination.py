from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class SegmentPagination(pagination.LimitOffsetPagination):
    """Pages of a transcript's segments (``?offset=&limit=``): about 1.7 KB each with their
    words, so a default page is some 85 KB however long the call."""

    default_limit = 50
    max_limit = 200
