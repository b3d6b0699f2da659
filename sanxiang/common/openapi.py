"""OpenAPI postprocessing: every operation documents the error answers it can give.

drf-spectacular documents the success answer of each view; the errors come from one place
(common.api, common.middleware, common.errors) and have one body, so they are added here to every
operation, with the `Error` schema, rather than repeated in each view's extend_schema.
"""

from __future__ import annotations

from sanxiang.common.errors import STATUS_ERRORS

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "机器可读的错误代码，如 too_few_officers"},
                "message": {"type": "string", "description": "中文说明，指明所违反的规则及条款"},
                "field": {"type": "string", "nullable": True, "description": "出错的字段或参数"},
                "rule": {"type": "string", "nullable": True, "description": "所依据的规则或条款"},
            },
            "additionalProperties": True,
        },
    },
}

#: Answered by every operation: bad input (400), bad or missing credentials (401; also on public
#: operations, for a token that is not valid), role or scope (403), unknown object or URL (404), a
#: method the path does not allow (405), body over its cap (413), body type (415), rate limit
#: (429), server error (500). Writes also answer 409 (a rule refused the step in this state).
_EVERYWHERE = (400, 401, 403, 404, 405, 413, 415, 429, 500)
_WRITES = (409,)


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    ref = {"$ref": "#/components/schemas/Error"}
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = [*_EVERYWHERE, *(_WRITES if method in {"post", "put", "patch", "delete"} else ())]
            responses = operation["responses"]
            for status in sorted(statuses):
                answer = responses.setdefault(str(status), {"description": STATUS_ERRORS[status][1]})
                # A view may describe an error answer in words only; its body is still the one format.
                answer.setdefault("content", {"application/json": {"schema": ref}})
    return result
