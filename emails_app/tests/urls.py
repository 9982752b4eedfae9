"""The project's URLs plus the email links, whether or not the project already mounts them."""

from django.urls import URLResolver, include, path

from champion_clone import urls as project_urls

_mounted = any(isinstance(p, URLResolver) and p.namespace == "emails" for p in project_urls.urlpatterns)
urlpatterns = [*project_urls.urlpatterns, *([] if _mounted else [path("", include("emails_app.urls"))])]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
