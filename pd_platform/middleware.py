"""Project-wide middleware.

RequestLogMiddleware: one log line per request: id, method, path, status, duration. Never the
query string (it may carry an email or a token), never who made the request beyond what the
path says. SessionBusyMiddleware: the one mapping of SessionBusy to a 409 page."""

import logging
import re
import time
import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from registrations.locking import RETRY_AFTER_SECONDS, SessionBusy

from .logging import request_id_var

logger = logging.getLogger("pd_platform.request")

# A request id from the proxy is kept only when it looks like one (no log injection).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        status = response.status_code
        logger.log(
            logging.WARNING if status >= 500 else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


class SessionBusyMiddleware:
    """Pages: a seat decision that waited too long for its session's lock (SessionBusy, from
    any service) answers 409 with Retry-After and a page saying to try again; the service's
    transaction was rolled back, so nothing was saved. The API's one mapping is
    pd_platform.api.exception_handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SessionBusy):
            return None
        referer = request.headers.get("Referer", "")
        back = (
            referer
            if url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            else ""
        )
        response = render(
            request, "409.html", {"message": SessionBusy.message, "back": back}, status=409
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
