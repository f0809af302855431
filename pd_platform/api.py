"""API wiring shared by every app: pagination and the error handler."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from registrations.locking import RETRY_AFTER_SECONDS, SessionBusy

logger = logging.getLogger(__name__)


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def exception_handler(exc, context):
    """DRF's handler, plus domain ValidationErrors from services as 400 with per-field JSON."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {"non_field_errors": exc.messages}
        exc = ValidationError(detail=detail)
    if isinstance(exc, SessionBusy):
        return Response(
            {"detail": SessionBusy.message},
            status=status.HTTP_409_CONFLICT,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    response = drf_exception_handler(exc, context)
    if response is None and isinstance(exc, DatabaseError) and _is_lock_timeout(exc):
        logger.warning("lock wait timed out on %s", context["request"].path)
        response = Response(
            {"detail": "The session is busy; please try again in a moment."},
            status=status.HTTP_409_CONFLICT,
            headers={"Retry-After": "2"},
        )
    return response


def _is_lock_timeout(exc: DatabaseError) -> bool:
    text = str(exc).lower()
    return "lock timeout" in text or "database is locked" in text
