"""Django's cache backends with their reads counted, hit or miss (``CACHES`` names these in
``settings.py``; the class names stay Django's, so the health check still says which)."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import locmem, redis

from core.metrics.registry import CACHE_GETS

_MISSING = object()


class CountedGets:
    """Counts ``get`` (``get_or_set``, the rate limits and Django's own ``get_many`` read
    through it)."""

    _alias = "default"

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        value = super().get(key, _MISSING, version)  # type: ignore[misc]
        if value is _MISSING:
            CACHE_GETS.labels(self._alias, "miss").inc()
            return default
        CACHE_GETS.labels(self._alias, "hit").inc()
        return value


class RedisCache(CountedGets, redis.RedisCache):
    def get_many(self, keys: Any, version: int | None = None) -> dict:
        """Redis reads many keys in one command, not through ``get``."""
        keys = list(keys)
        found = super().get_many(keys, version)
        if found:
            CACHE_GETS.labels(self._alias, "hit").inc(len(found))
        if len(keys) > len(found):
            CACHE_GETS.labels(self._alias, "miss").inc(len(keys) - len(found))
        return found


class LocMemCache(CountedGets, locmem.LocMemCache):
    pass
