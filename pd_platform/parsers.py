"""The API's JSON parser: DRF's, but a body nested too deeply is a 400, never a 500.

Python's json module recurses once per level, so `[[[[...]]]]` 100,000 levels deep raised
RecursionError (an HTML 500 with a traceback), and a body just under the interpreter's limit
could still exhaust the stack later in a serializer. No request of ours nests beyond a few
levels, so a body deeper than MAX_DEPTH is refused before it is parsed.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
TOO_DEEP = f"JSON parse error - nested more than {MAX_DEPTH} levels deep."


def json_depth_exceeds(text: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when brackets outside strings nest deeper than `limit`. A linear scan that does
    not decode; malformed JSON is left to the parser."""
    if text.count(b"[") + text.count(b"{") <= limit:
        return False  # the usual body: too few brackets to nest that deep
    depth = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read() if stream is not None else b""
        if json_depth_exceeds(body):
            raise ParseError(TOO_DEEP)
        try:
            return super().parse(_Replay(body), media_type, parser_context)
        except RecursionError as error:  # the precheck should make this unreachable
            raise ParseError(TOO_DEEP) from error


class _Replay:
    """The body already read, as the file-like object DRF's parser decodes from."""

    def __init__(self, body: bytes):
        self.body = body

    def read(self, *args) -> bytes:
        body, self.body = self.body, b""
        return body
