"""Request bodies: one reading path for every route, public and admin.

A body is read once and capped at the configured size, must be JSON (or absent, where the route
allows it), is parsed strictly (RFC 8259 with valid UTF-8: no NaN or Infinity, no number that
overflows to infinity, no lone surrogate), may nest at most MAX_JSON_DEPTH levels, must be an
object, and is checked against its JSON Schema file. Problems are raised as BodyError (with a
kind) or SchemaViolation; each route family words them in its own answer format
(http/operations.py), so both families refuse the same things.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import orjson
from aiohttp import BodyPartReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.validation import is_valid
from ippanel_mock.models.wording import valid_unicode

JSON_CONTENT_TYPES = ("application/json", "application/octet-stream")
"""application/octet-stream is what aiohttp reports when a client sends no Content-Type."""
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MULTIPART_CONTENT_TYPE = "multipart/form-data"
MAX_JSON_DEPTH = 32
"""Levels of arrays and objects a body may nest (a send needs 4): deeper input is refused before
anything walks it, so no check, message or log line can recurse on it."""


class BodyProblem(Enum):
    TOO_LARGE = "too_large"
    CONTENT_TYPE = "content_type"
    EMPTY = "empty"
    MALFORMED = "malformed"
    TOO_DEEP = "too_deep"
    TOO_SLOW = "too_slow"
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


def media_type(request: web.Request) -> str:
    """`request.content_type`, without aiohttp's full header parse when the header is exactly
    `application/json` (what nearly every client sends; the parse would give the same)."""
    raw = request.headers.get(hdrs.CONTENT_TYPE)
    return raw if raw == "application/json" else request.content_type


def check_schema(schema: str, instance: Any) -> None:
    if not is_valid(schema, instance):
        raise SchemaViolation(schema, instance)


async def read_bytes(request: web.Request, config: SandboxConfig) -> bytes:
    """The whole body; BodyError(TOO_LARGE) above the size cap (declared or actual), or
    BodyError(TOO_SLOW) when it does not arrive within the header timeout."""
    limit = config.max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise BodyError(BodyProblem.TOO_LARGE)
    try:
        if request.content.is_eof():  # already here: the common case costs no timer
            raw = await request.read()
        else:
            async with asyncio.timeout(config.header_timeout):
                raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise BodyError(BodyProblem.TOO_LARGE) from None
    except TimeoutError:
        raise BodyError(BodyProblem.TOO_SLOW) from None
    if len(raw) > limit:
        raise BodyError(BodyProblem.TOO_LARGE)
    return raw


def parse_json(raw: bytes) -> Any:
    """orjson's strict reading; then the nesting limit (walked only when the brackets could
    exceed it)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BodyError(BodyProblem.MALFORMED) from None
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and nests_deeper(value, MAX_JSON_DEPTH):
        raise BodyError(BodyProblem.TOO_DEEP)
    return value


def nests_deeper(value: Any, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels (a loop, never recursion)."""
    if type(value) is not dict and type(value) is not list:
        return False
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if type(node) is dict else node
        for child in children:
            if type(child) is dict or type(child) is list:
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


async def read_json_object(
    request: web.Request,
    config: SandboxConfig,
    *,
    optional: bool,
    content_type: str | None = None,
) -> dict[str, Any]:
    """The body as a JSON object; an empty body is `{}` where the route makes it optional."""
    raw = await read_bytes(request, config)
    if not raw or raw.isspace():
        if optional:
            return {}
        raise BodyError(BodyProblem.EMPTY)
    if (content_type or media_type(request)) not in JSON_CONTENT_TYPES:
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
    request: web.Request, config: SandboxConfig, file_fields: tuple[str, ...]
) -> FileForm:
    """Text fields (undecodable text reads as "") and file parts, at most the size cap in all,
    within the header timeout."""
    try:
        async with asyncio.timeout(config.header_timeout):
            return await _read_parts(request, config.max_body_bytes, file_fields)
    except TimeoutError:
        raise BodyError(BodyProblem.TOO_SLOW) from None


async def _read_parts(request: web.Request, limit: int, file_fields: tuple[str, ...]) -> FileForm:
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
            name = valid_unicode(part.name)  # header bytes that were not UTF-8
            if name in file_fields:
                files.append(bytes(data))
            else:
                try:
                    fields[name] = bytes(data).decode("utf-8")
                except UnicodeDecodeError:
                    fields[name] = ""
                if name.endswith("[]"):
                    lists.setdefault(name[:-2], []).append(fields[name])
    except (ValueError, HttpProcessingError):
        raise BodyError(BodyProblem.BAD_MULTIPART) from None
    return FileForm(fields, files, lists)
