"""The API's JSON parser: nesting depth capped, and an object where the endpoint expects one.

5000 nested brackets made the json module raise RecursionError (a 500), and a JSON array posted
to an endpoint that reads fields from an object failed on `.get` (a 500). Both are now a 400
naming the rule. The depth is counted by one pass over the text before decoding, so nothing deep
is ever built.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from sanxiang.common.exceptions import ValidationFailed

# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


def json_depth_exceeds(text: str, limit: int) -> bool:
    """True when arrays/objects nest deeper than `limit` anywhere in `text`."""
    depth = 0
    for match in _TOKENS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser with the depth cap (settings.JSON_MAX_DEPTH) and the top-level type check.

    A view that accepts a top-level array sets `json_top_level = (dict, list)`; by default every
    endpoint takes an object, as every endpoint of this API does.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"请求内容不是有效的 {encoding} 文本") from exc
        limit = settings.JSON_MAX_DEPTH
        if json_depth_exceeds(text, limit):
            raise ValidationFailed(f"JSON 嵌套层数超过上限 {limit} 层", code="json_too_deep",
                                   rule=f"JSON 嵌套不超过 {limit} 层（JSON_MAX_DEPTH）")
        try:
            data = json.loads(text, parse_constant=_refuse_constant) if text.strip() else None
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON 格式错误：{exc}") from exc
        view = parser_context.get("view")
        allowed = getattr(view, "json_top_level", (dict,))
        if data is not None and not isinstance(data, allowed):
            kind = {list: "数组", str: "字符串", bool: "布尔值", int: "数字", float: "数字"}.get(type(data), "非对象")
            raise ValidationFailed(f"请求体须为 JSON 对象（{{…}}），收到的是{kind}", code="json_not_object",
                                   rule="请求体须为 JSON 对象")
        return data if data is not None else {}


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259); DRF's strict mode refuses them the same way.
    raise ValueError(f"{name} 不是有效的 JSON 值")
