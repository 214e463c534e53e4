"""JSON Schemas of request bodies: compiled once, a fast yes, and field errors when not.

Public routes word the errors in Persian (IPPanel's 422 `400-2` envelope); the admin API keeps
jsonschema's English messages. Both judge a body by the same schema file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ippanel_mock.models.errors import FieldErrors
from ippanel_mock.models.wording import invalid_message, label, required_message

SCHEMA_PACKAGE = "ippanel_mock.http.schemas"

TYPE_NAMES: dict[str, str] = {
    "string": "رشته",
    "integer": "عدد صحیح",
    "number": "عدد",
    "array": "آرایه",
    "object": "شیء",
    "boolean": "بولی",
    "null": "خالی",
}


@cache
def load_schema(kind: str, name: str) -> dict[str, Any]:
    """A shipped schema: kind is "requests" or "responses"."""
    text = resources.files(SCHEMA_PACKAGE).joinpath(kind, f"{name}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def request_validator(name: str) -> Draft202012Validator:
    """Compiled once per schema; validation of a small body stays cheap."""
    schema = load_schema("requests", name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def fast_validator(name: str) -> jsonschema_rs.Draft202012Validator:
    """The same schema compiled by jsonschema-rs: a cheap yes for the common valid body.

    Its regexes follow ECMA-262 (`$` never before a final newline, `\\d` ASCII only), so it may
    reject what `jsonschema` accepts, never the reverse (tests/mock_server/
    test_validation_agreement.py); a rejection is therefore always re-checked by `jsonschema`,
    which stays the only judge of invalid bodies and the source of their Persian messages.
    """
    return jsonschema_rs.Draft202012Validator(load_schema("requests", name))


CROSS_CHECK = False
"""Set by the test suite's plugin: every body passed by jsonschema-rs is also run through
`jsonschema`, and a disagreement raises (so every body any test sends is compared)."""


def _field(path: Any, prefix: str = "") -> str:
    parts = [str(p) for p in path]
    joined = ".".join(parts)
    if prefix:
        return f"{prefix}.{joined}" if joined else prefix
    return joined


def _messages(error: ValidationError, prefix: str) -> list[tuple[str, str]]:
    where = _field(error.absolute_path, prefix)
    name = where or "body"
    kind = error.validator
    value = error.validator_value
    if kind == "required":
        missing = [p for p in value if isinstance(error.instance, dict) and p not in error.instance]
        return [(_field([*error.absolute_path, p], prefix), required_message(p)) for p in missing]
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = [p for p in error.instance if p not in allowed]
        return [(_field([*error.absolute_path, p], prefix), f"گزینه {p} مجاز نیست") for p in extra]
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        names = " یا ".join(TYPE_NAMES.get(str(t), str(t)) for t in types)
        return [(name, f"گزینه {label(name)} باید از نوع {names} باشد")]
    if kind == "minLength":
        return [(name, required_message(name) if value == 1 else invalid_message(name))]
    if kind == "maxLength":
        return [(name, f"گزینه {label(name)} نباید بیشتر از {value} نویسه باشد")]
    if kind == "minItems":
        return [(name, f"گزینه {label(name)} باید حداقل {value} مورد داشته باشد")]
    if kind == "maxItems":
        return [(name, f"گزینه {label(name)} نباید بیشتر از {value} مورد داشته باشد")]
    if kind in ("minimum", "exclusiveMinimum"):
        return [(name, f"گزینه {label(name)} باید حداقل {value} باشد")]
    if kind in ("maximum", "exclusiveMaximum"):
        return [(name, f"گزینه {label(name)} نباید بیشتر از {value} باشد")]
    if kind in ("enum", "const"):
        return [(name, f"مقدار انتخاب شده برای {label(name)} معتبر نیست")]
    if kind == "pattern":
        return [(name, f"قالب گزینه {label(name)} معتبر نیست")]
    return [(name, invalid_message(name))]


def schema_errors(name: str, instance: Any, *, prefix: str = "") -> FieldErrors:
    """Persian messages per field ({} when the instance is valid)."""
    if is_valid(name, instance):
        return {}
    errors: FieldErrors = {}
    for error in request_validator(name).iter_errors(instance):
        for where, message in _messages(error, prefix):
            bucket = errors.setdefault(where, [])
            if message not in bucket:
                bucket.append(message)
    return errors


def is_valid(name: str, instance: Any) -> bool:
    """The fast verdict (jsonschema-rs), cross-checked by `jsonschema` when CROSS_CHECK is on."""
    if fast_validator(name).is_valid(instance):
        if CROSS_CHECK and request_validator(name).is_valid(instance) is False:
            raise AssertionError(f"jsonschema-rs passed a body jsonschema rejects ({name})")
        return True
    return False


def admin_schema_errors(name: str, instance: Any) -> FieldErrors:
    """jsonschema's own (English) message per field, for the admin API."""
    errors: FieldErrors = {}
    for err in request_validator(name).iter_errors(instance):
        field = ".".join(str(p) for p in err.absolute_path) or "body"
        errors.setdefault(field, []).append(err.message)
    return errors


__all__ = [
    "CROSS_CHECK",
    "SCHEMA_PACKAGE",
    "admin_schema_errors",
    "fast_validator",
    "invalid_message",
    "is_valid",
    "label",
    "load_schema",
    "request_validator",
    "required_message",
    "schema_errors",
]
