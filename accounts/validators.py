"""Single-line text: names and titles, which end up in email headers and calendar lines.

A carriage return or line feed in a name made every email about that person fail ("Header
values may not contain linefeed"). Names and titles refuse control characters at input
(`validate_single_line`, on model fields, forms and serializers), and every email subject is
built through `one_line`, so a record stored before this rule existed still gets its email.
Lowest layer (accounts) so that every app can import it.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

SINGLE_LINE_MESSAGE = "Use a single line of text, without line breaks or control characters."

# C0 and C1 controls (tab included: a name has no tab), DEL, and the Unicode line and
# paragraph separators, which mail and calendar software also read as line breaks.
_REFUSED_CATEGORIES = {"Cc", "Zl", "Zp"}


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in value)


def validate_single_line(value: object) -> None:
    if isinstance(value, str) and has_control_characters(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")


def check_single_line(instance: object, *fields: str) -> None:
    """Raise one ValidationError naming each of `instance`'s `fields` that is not one line
    (for services that save models whose fields carry no validator)."""
    errors = {
        name: SINGLE_LINE_MESSAGE
        for name in fields
        if has_control_characters(str(getattr(instance, name, "") or ""))
    }
    if errors:
        raise ValidationError(errors)


_WHITESPACE = re.compile(r"\s+")


def one_line(value: object) -> str:
    """`value` as text fit for an email header: control characters become spaces and runs of
    whitespace one space."""
    text = "".join(
        " " if unicodedata.category(char) in _REFUSED_CATEGORIES else char for char in str(value)
    )
    return _WHITESPACE.sub(" ", text).strip()
