"""Public endpoints reached from emails: the open pixel, the click redirect and the
unsubscribe page. Authenticated by their signed token alone (no session, no JWT)."""

from __future__ import annotations

import base64

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import User
from emails_app import services, tokens
from emails_app.models import EmailPreference

# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_GET
def open_pixel(request: HttpRequest, token: str) -> HttpResponse:
    # The image is answered whatever the token: a broken image tells nothing either way.
    if (log_id := tokens.open_log_id(token)) is not None:
        services.email_mark_opened(log_id=log_id)
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_GET
def click(request: HttpRequest, token: str) -> HttpResponse:
    """Redirects only to a link the email itself contained (kept on its log): the token
    names the email and the link's position, never a URL, so this is no open redirect."""
    target = tokens.click_target(token)
    url = services.email_mark_clicked(log_id=target[0], link_index=target[1]) if target else None
    if url is None:
        raise Http404("Unknown link.")
    return HttpResponseRedirect(url)


@csrf_exempt  # authenticated by the signed token; mail clients POST without a CSRF token (RFC 8058)
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user_id = tokens.unsubscribe_user_id(token)
    user = User.objects.filter(pk=user_id).only("id", "email").first() if user_id is not None else None
    context = {"site_name": services.SITE_NAME, "email": user.email if user else "", "invalid": user is None}
    if user is None:
        return render(request, "emails/unsubscribe.html", context, status=404)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        services.email_unsubscribe(
            user_id=user.pk, source=EmailPreference.Source.ONE_CLICK if one_click else EmailPreference.Source.LINK
        )
        context["unsubscribed"] = True
    else:
        # GET only asks: link scanners in mail gateways follow links, and must not unsubscribe.
        context["unsubscribed"] = services.is_unsubscribed(user.pk)
    return render(request, "emails/unsubscribe.html", context)
