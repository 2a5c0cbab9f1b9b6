"""Schema post-processing: every operation documents the error envelope.

Any API answer can be an error in the one envelope of common.api_errors (a bad
parameter, a missing login, a wrong role, a body over the size cap, a lock-out),
so each operation gets a `default` response with that shape. Statuses an
operation names itself keep their own description.
"""
from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "ErrorOut"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail", "code"],
}


def add_error_envelope(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    default = {
        "description": "An error, in the API's one envelope",
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in ("get", "post", "put", "patch", "delete") and isinstance(operation, dict):
                responses = operation.setdefault("responses", {})
                # An error is rendered as the operation's own JSON type (application/geo+json).
                types = {"application/json"} | {
                    media for answer in responses.values() for media in (answer.get("content") or {}) if media.endswith("json")
                }
                responses.setdefault(
                    "default", {**default, "content": {media: default["content"]["application/json"] for media in sorted(types)}}
                )
    return result
