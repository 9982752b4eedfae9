"""The base of every viewset that serves a user's own objects: the queryset is built for the
requesting user in one place, so a new endpoint cannot forget the scope (another user's id
is a 404, never data)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from rest_framework import viewsets


class OwnedObjectsViewSet(viewsets.GenericViewSet):
    def get_owned_queryset(self, owner: AbstractBaseUser) -> QuerySet:
        """The objects of ``owner`` for the current action (a scoped selector)."""
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.get_owned_queryset(self.request.user)
