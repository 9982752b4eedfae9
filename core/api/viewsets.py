"""The base of every viewset that serves a user's own objects: the queryset is built for the
requesting user in one place, so a new endpoint cannot forget the scope (another user's id
is a 404, never data)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from rest_framework import viewsets

# At most 18 digits: below 2**63, the largest id a bigint column holds.
ID_PATTERN = "[0-9]{1,18}"
# The largest id a bigint column holds: the bound of every id field in a request body.
ID_MAX = 2**63 - 1


class OwnedObjectsViewSet(viewsets.GenericViewSet):
    # Ids are integers that fit the database's bigint: anything else in the id's place (a word,
    # a 20-digit number) is no route (404), never a lookup that overflows.
    lookup_value_regex = ID_PATTERN
    # Actions the router serves at the site's root (``core.api.routers.OptionalSlashRouter``).
    root_actions: tuple[str, ...] = ()

    def get_owned_queryset(self, owner: AbstractBaseUser) -> QuerySet:
        """The objects of ``owner`` for the current action (a scoped selector)."""
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return self.get_owned_queryset(self.request.user)
