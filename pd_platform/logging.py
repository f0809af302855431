"""Log output: one JSON object per line, with nothing personal or secret in it.

`JsonFormatter` writes time, level, logger, message, the request id of the request being served
(set by pd_platform.middleware.RequestLogMiddleware) and the request fields the middleware adds.
`ScrubFilter`, on the handler, masks in every record whatever looks like an email address, an API
token or an Authorization header, and the secret part of links that work without signing in
(calendar feeds, invitations, seat releases, check-in codes, certificate codes, allauth keys),
whichever logger wrote it (Django's "Not Found: <path>", runserver's request lines, tracebacks).
"""

import contextvars
import datetime as dt
import json
import logging
import re

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

REDACTED = "[redacted]"
_PATTERNS = [
    # Authorization / Cookie values, however they were printed.
    (
        re.compile(r"(?i)\b(authorization|cookie|x-csrftoken)(['\"]?\s*[:=]\s*['\"]?)[^'\",}\n]+"),
        rf"\1\2{REDACTED}",
    ),
    (re.compile(r"(?i)\b(Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {REDACTED}"),
    # DRF token keys: 40 hex digits.
    (re.compile(r"(?i)(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])"), REDACTED),
    # Email addresses, also URL-encoded (%40). The local part leaves out "/", "=", "?" and "&"
    # so a path or a query string keeps its shape around the mask.
    # Bounded like real addresses (64-character local part, 63-character labels) so a long
    # line cannot make the search quadratic.
    (
        re.compile(r"[A-Za-z0-9._%+'-]{1,64}(?:@|%40)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+"),
        "[email]",
    ),
    # Paths whose last segment is a bearer secret.
    (
        re.compile(
            r"(/(?:calendar|invitations|registrations/release|checkin|certificates/verify"
            r"|accounts/confirm-email|accounts/password/reset/key)/)[^/\s?\"']+"
        ),
        rf"\1{REDACTED}",
    ),
    # password=..., token=..., key=... in a query string or a dict printed into a message.
    (
        re.compile(
            r"(?i)\b(password\d?|token|key|secret|code)(['\"]?\s*[:=]\s*['\"]?)[^&\s'\",}]+"
        ),
        rf"\1\2{REDACTED}",
    ),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubFilter(logging.Filter):
    """Rewrite each record's message (and traceback) with emails and secrets masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for name in ("path", "user_agent"):
            value = getattr(record, name, None)
            if isinstance(value, str):
                setattr(record, name, scrub(value))
        return True


# Attributes every LogRecord has; anything else was passed with `extra=` and is written out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Django puts the request and the socket on some records: not serialisable, and personal.
_SKIP = {"request", "server_time"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django logs 4xx/5xx ("Not Found: ...") after the middleware returned: read the id
        # the middleware left on the request.
        request_id = (
            getattr(record, "request_id", "")
            or request_id_var.get()
            or getattr(getattr(record, "request", None), "request_id", "")
        )
        if request_id:
            entry["request_id"] = request_id
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in _SKIP and name not in entry:
                entry[name] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)
