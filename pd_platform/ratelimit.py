"""A small fixed-window rate limiter for pages, kept in the Django cache.

With REDIS_URL set the cache is shared by every worker and host, so a limit holds across them;
without it (development, tests) each process counts alone. django-ratelimit was considered: its
last release (4.1, 2023) reports Django's own RedisCache as unsupported (a warning that fails
`check --deploy`) and LocMemCache as an error, so both checks would have to be silenced, and
it would still need a middleware to answer 429 instead of 403.

Limits are per signed-in person (per client IP when anonymous) and set in settings.RATE_LIMITS,
e.g. {"register": "20/m"}. Over the limit a page answers 429 with Retry-After and a page that
says what to do; a path under /api/ answers JSON.
"""

import functools
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MESSAGE = "Too many attempts in a short time. Please wait a minute and try again."


def parse_rate(rate: str) -> tuple[int, int]:
    """ "20/m" -> (20, 60); "5/10m" -> (5, 600)."""
    count, _, period = rate.partition("/")
    multiplier = int(period[:-1] or 1)
    return int(count), multiplier * PERIODS[period[-1]]


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT hops from the end of
    X-Forwarded-For when that many proxies we run stand in front (the same rule as DRF's
    NUM_PROXIES and allauth's ALLAUTH_TRUSTED_PROXY_COUNT, set from the same variable)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def hit(*, scope: str, who: str, rate: str, now: float | None = None) -> int:
    """Count one request of `who` in `scope`; return 0 while within `rate`, else the seconds
    until the window ends."""
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    key = f"ratelimit:{scope}:{who}:{window}"
    cache.add(key, 0, timeout=period + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 5)
        count = 1
    if count <= limit:
        return 0
    return max(1, int((window + 1) * period - now))


def rate_limited(request: HttpRequest, exception=None, *, retry_after: int = 60) -> HttpResponse:
    """The 429 answer: JSON under /api/, else a page. Also handler429 (allauth uses it)."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=429)
    else:
        response = render(request, "rate_limited.html", {"message": MESSAGE}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(scope: str, *, methods: Iterable[str] = ("POST",)) -> Callable:
    """Limit a view's `methods` to settings.RATE_LIMITS[scope] per person (or IP)."""
    methods = frozenset(methods)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                rate = settings.RATE_LIMITS[scope]
                retry_after = hit(scope=scope, who=_who(request), rate=rate)
                if retry_after:
                    return rate_limited(request, retry_after=retry_after)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
