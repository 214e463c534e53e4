"""Request bodies: read safely, check with JSON Schema, and report Persian field errors."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
import orjson
from aiohttp import web
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ippanel_mock.http.envelope import (
    MSG_BAD_CONTENT_TYPE,
    MSG_BAD_JSON,
    MSG_TOO_LARGE,
    ApiError,
    validation_failed,
)

SCHEMA_PACKAGE = "ippanel_mock.http.schemas"

FIELD_LABELS: dict[str, str] = {
    "username": "نام کاربری",
    "password": "گذرواژه",
    "message": "پیام",
    "files": "فایل ها",
    "mobile": "موبایل",
    "from_number": "شماره فرستنده",
    "recipients": "گیرندگان",
    "send_time": "زمان ارسال",
}
TYPE_NAMES: dict[str, str] = {
    "string": "رشته",
    "integer": "عدد صحیح",
    "number": "عدد",
    "array": "آرایه",
    "object": "شیء",
    "boolean": "بولی",
    "null": "خالی",
}

FieldErrors = dict[str, list[str]]


def label(field: str) -> str:
    leaf = field.rsplit(".", 1)[-1]
    return FIELD_LABELS.get(leaf, field)


def required_message(field: str) -> str:
    return f"تکمیل گزینه {label(field)} الزامی است"


def invalid_message(field: str) -> str:
    return f"مقدار گزینه {label(field)} معتبر نیست"


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
    if fast_validator(name).is_valid(instance):
        if CROSS_CHECK and request_validator(name).is_valid(instance) is False:
            raise AssertionError(f"jsonschema-rs passed a body jsonschema rejects ({name})")
        return {}
    errors: FieldErrors = {}
    for error in request_validator(name).iter_errors(instance):
        for where, message in _messages(error, prefix):
            bucket = errors.setdefault(where, [])
            if message not in bucket:
                bucket.append(message)
    return errors


def validate(name: str, instance: Any) -> None:
    """Raise the 422 400-2 envelope if the instance breaks the named request schema."""
    errors = schema_errors(name, instance)
    if errors:
        raise validation_failed(errors)


def check_size(request: web.Request, limit: int) -> None:
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "413-1", MSG_TOO_LARGE)


async def read_json(request: web.Request, limit: int, *, optional: bool = False) -> Any:
    """The JSON body: 415 for another content type, 400 for bad JSON, 413 above the cap."""
    check_size(request, limit)
    raw = await read_bytes(request, limit)
    if not raw.strip():
        if optional:
            return {}
        raise ApiError(400, "400-3", MSG_BAD_JSON)
    if request.content_type not in ("application/json", "application/octet-stream"):
        raise ApiError(415, "415-1", MSG_BAD_CONTENT_TYPE)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ApiError(400, "400-3", MSG_BAD_JSON) from None


async def read_bytes(request: web.Request, limit: int) -> bytes:
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "413-1", MSG_TOO_LARGE) from None
    if len(raw) > limit:
        raise ApiError(413, "413-1", MSG_TOO_LARGE)
    return raw


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise validation_failed({"body": ["بدنه درخواست باید یک شیء JSON باشد"]})
    return body


def collect(errors: FieldErrors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)
