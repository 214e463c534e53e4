"""Request bodies: one reading path for every route, public and admin.

A body is read once and capped at the configured size, must be JSON (or absent, where the route
allows it), is parsed, must be an object, and is checked against its JSON Schema file. Problems
are raised as BodyError (with a kind) or SchemaViolation; each route family words them in its
own answer format (http/operations.py), so both families refuse the same things.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson
from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from ippanel_mock.http.validation import is_valid

JSON_CONTENT_TYPES = ("application/json", "application/octet-stream")
"""application/octet-stream is what aiohttp reports when a client sends no Content-Type."""
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MULTIPART_CONTENT_TYPE = "multipart/form-data"


class BodyProblem(Enum):
    TOO_LARGE = "too_large"
    CONTENT_TYPE = "content_type"
    EMPTY = "empty"
    MALFORMED = "malformed"
    NOT_OBJECT = "not_object"
    BAD_MULTIPART = "bad_multipart"


class BodyError(Exception):
    """A body the sandbox will not read; `problem` says why."""

    def __init__(self, problem: BodyProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class SchemaViolation(Exception):
    """A body that breaks its request schema; the route family words the field errors."""

    def __init__(self, schema: str, instance: Any) -> None:
        super().__init__(schema)
        self.schema = schema
        self.instance = instance


def check_schema(schema: str, instance: Any) -> None:
    if not is_valid(schema, instance):
        raise SchemaViolation(schema, instance)


async def read_bytes(request: web.Request, limit: int) -> bytes:
    """The whole body, or BodyError(TOO_LARGE) above `limit` bytes (declared or actual)."""
    if request.content_length is not None and request.content_length > limit:
        raise BodyError(BodyProblem.TOO_LARGE)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BodyError(BodyProblem.TOO_LARGE) from None
    if len(raw) > limit:
        raise BodyError(BodyProblem.TOO_LARGE)
    return raw


def parse_json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BodyError(BodyProblem.MALFORMED) from None


async def read_json_object(request: web.Request, limit: int, *, optional: bool) -> dict[str, Any]:
    """The body as a JSON object; an empty body is `{}` where the route makes it optional."""
    raw = await read_bytes(request, limit)
    if not raw.strip():
        if optional:
            return {}
        raise BodyError(BodyProblem.EMPTY)
    if request.content_type not in JSON_CONTENT_TYPES:
        raise BodyError(BodyProblem.CONTENT_TYPE)
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise BodyError(BodyProblem.NOT_OBJECT)
    return body


@dataclass(frozen=True, slots=True)
class FileForm:
    """A multipart form: its text fields and the bytes of every `files[]` part."""

    fields: dict[str, str]
    files: list[bytes]
    lists: dict[str, list[str]] = field(default_factory=dict)
    """Every value of each repeated `name[]` field (e.g. other_recipients[]), under `name`."""


async def read_file_form(
    request: web.Request, limit: int, file_fields: tuple[str, ...]
) -> FileForm:
    """Text fields (undecodable text reads as "") and file parts, at most `limit` bytes in all."""
    fields: dict[str, str] = {}
    files: list[bytes] = []
    lists: dict[str, list[str]] = {}
    total = 0
    try:
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read(decode=True)
            total += len(data)
            if total > limit:
                raise BodyError(BodyProblem.TOO_LARGE)
            if part.name in file_fields:
                files.append(bytes(data))
            else:
                try:
                    fields[part.name] = bytes(data).decode("utf-8")
                except UnicodeDecodeError:
                    fields[part.name] = ""
                if part.name.endswith("[]"):
                    lists.setdefault(part.name[:-2], []).append(fields[part.name])
    except (ValueError, HttpProcessingError):
        raise BodyError(BodyProblem.BAD_MULTIPART) from None
    return FileForm(fields, files, lists)
