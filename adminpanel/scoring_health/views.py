"""``/django-admin/scoring-health/``: the page (GET, any staff who may view the judge's
measurements) and "measure again" (POST, administrators)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from adminpanel.scoring_health.figures import page_figures
from adminpanel.scoring_health.runs import FRESH_FOR, scoring_health_request

VIEW_PERMISSION = "training.view_judgehealthrun"
MEASURE_PERMISSION = "training.add_judgehealthrun"  # administrators (and superusers)


def scoring_health_view(request: HttpRequest, *, site: admin.AdminSite) -> HttpResponse:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        if not request.user.has_perm(MEASURE_PERMISSION):
            raise PermissionDenied
        run, created = scoring_health_request(requested_by=request.user, force=True)
        text = "A new measurement is queued." if created else "A measurement is already under way."
        messages.info(request, f"{text} Its figures appear here when the worker is done.")
        return HttpResponseRedirect(reverse("admin:scoring_health"))
    # The figures are a cache of at most FRESH_FOR: asking for the page refreshes them.
    scoring_health_request()
    context = {
        **site.each_context(request),
        "title": "Scoring health",
        "health": page_figures(),
        "fresh_minutes": int(FRESH_FOR.total_seconds() // 60),
        "can_measure": request.user.has_perm(MEASURE_PERMISSION),
    }
    return TemplateResponse(request, "admin/adminpanel/scoring_health.html", context)
