"""The default cache: Redis, with a per-process memory cache while Redis cannot be reached.

Rate limits (ours, DRF's throttles and allauth's sign-in limits) all count in the default
cache, so with a plain RedisCache an outage turned every sign-in and token request into a
500. Here a connection error or timeout is logged at ERROR (once a minute per process, so an
outage is loud without flooding) and the operation runs on a LocMemCache instead: limits hold
per process until Redis is back, and pages keep working. /healthz asks `is_reachable()`, so
it still reports the outage.
"""

import functools
import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("pd_platform.cache")

OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60
# After a failure, Redis is left alone this long: each try can cost the connect timeout, and a
# request makes several cache calls.
RETRY_AFTER_SECONDS = 5

_last_logged = 0.0
_log_lock = threading.Lock()


def _log_outage(operation: str, error: Exception) -> None:
    global _last_logged
    now = time.monotonic()
    with _log_lock:
        if _last_logged and now - _last_logged < LOG_EVERY_SECONDS:
            return
        _last_logged = now
    logger.error(
        "cache unreachable (%s: %s): rate limits now count per process in memory",
        operation,
        type(error).__name__,
    )


def _with_fallback(name: str):
    def method(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            return getattr(super(FailoverRedisCache, self), name)(*args, **kwargs)
        except OUTAGES as error:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            _log_outage(name, error)
            return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class FailoverRedisCache(RedisCache):
    """RedisCache whose reads and writes fall back to a per-process LocMemCache while Redis
    is unreachable (see the module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback_params = {"TIMEOUT": params.get("TIMEOUT", 300)}
        self._down_until = 0.0

    @functools.cached_property
    def fallback(self) -> LocMemCache:
        return LocMemCache(f"pd-platform-fallback-{id(self)}", self._fallback_params)

    add = _with_fallback("add")
    get = _with_fallback("get")
    set = _with_fallback("set")
    touch = _with_fallback("touch")
    delete = _with_fallback("delete")
    get_many = _with_fallback("get_many")
    has_key = _with_fallback("has_key")
    incr = _with_fallback("incr")
    set_many = _with_fallback("set_many")
    delete_many = _with_fallback("delete_many")
    clear = _with_fallback("clear")

    def is_reachable(self) -> bool:
        """Whether Redis itself answers (no fallback): what /healthz reports."""
        try:
            reachable = bool(self._cache.get_client(write=True).ping())
        except OUTAGES as error:
            _log_outage("ping", error)
            return False
        if reachable:
            self._down_until = 0.0
        return reachable
