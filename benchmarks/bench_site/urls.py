"""The product's routes plus ``/__bench__/bare``: a view that returns a fixed JSON object,
through the same middleware, with no authentication, serializer or query."""

from django.http import JsonResponse
from django.urls import path

from champion_clone.urls import handler400, handler403, handler404, handler500
from champion_clone.urls import urlpatterns as product_urls

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bare(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("__bench__/bare", bare), *product_urls]
