"""Public email links: open pixel, click redirect, unsubscribe. Mounted at the site root by
``champion_clone.urls`` (``path("", include("emails_app.urls"))``)."""

from django.urls import path

from emails_app import views

app_name = "emails"

urlpatterns = [
    path("emails/o/<str:token>.gif", views.open_pixel, name="open"),
    path("emails/c/<str:token>", views.click, name="click"),
    path("emails/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
]
