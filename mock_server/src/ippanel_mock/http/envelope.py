"""The IPPanel envelope: {"data", "meta": {status, message, message_parameters, message_code}}."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import orjson
from aiohttp import web

from ippanel_mock.http.base import Refusal
from ippanel_mock.models.wording import valid_unicode

MSG_OK = "انجام شد"
MSG_BAD_CREDENTIALS = "اطلاعات وارد شده صحیح نمی باشد"
MSG_ROUTE_NOT_FOUND = "آدرس مورد نظر یافت نشد"
MSG_METHOD_NOT_ALLOWED = "این متد برای این آدرس مجاز نیست"
MSG_TOO_LARGE = "حجم درخواست بیش از حد مجاز است"
MSG_BAD_JSON = "بدنه درخواست JSON معتبر نیست"
MSG_BAD_CONTENT_TYPE = "نوع محتوای درخواست پشتیبانی نمی شود"
MSG_SERVER_ERROR = "خطای داخلی سرور"
MSG_BAD_MULTIPART = "بدنه multipart/form-data معتبر نیست"
MSG_TOO_DEEP = "بدنه درخواست بیش از حد تودرتو است"
MSG_TOO_SLOW = "زمان ارسال درخواست به پایان رسید"

_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def dump_bytes(body: Any) -> bytes:
    """Compact UTF-8 JSON (Persian text unescaped); orjson, or json for what orjson refuses
    (a lone surrogate that slipped into a message becomes U+FFFD, never a failed answer)."""
    try:
        return orjson.dumps(body, option=_ORJSON_OPTIONS)
    except TypeError:
        return valid_unicode(_dumps(body)).encode("utf-8")


class ApiError(Refusal):
    """Raised by routes and helpers; the outermost middleware renders it as an error envelope."""

    def __init__(
        self,
        http_status: int,
        message_code: str,
        message: str,
        errors: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{http_status} {message_code}")
        self.http_status = http_status
        self.message_code = message_code
        self.message = message
        self.errors = errors
        self.headers = headers

    def response(self) -> web.Response:
        return error(
            self.http_status, self.message_code, self.message, self.errors, headers=self.headers
        )


def meta(message: str, message_code: str, *, status: bool = True) -> dict[str, Any]:
    return {
        "status": status,
        "message": message,
        "message_parameters": [],
        "message_code": message_code,
    }


JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
"""What content_type="application/json", charset="utf-8" would set, without parsing it again
on every response."""


def json_bytes(
    body: bytes, http_status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """An encoded JSON body as a response (`headers` come before the Content-Type)."""
    return web.Response(
        body=body,
        status=http_status,
        headers=JSON_HEADERS if headers is None else {**headers, **JSON_HEADERS},
    )


def render(
    body: Mapping[str, Any], http_status: int = 200, *, headers: Mapping[str, str] | None = None
) -> web.Response:
    return json_bytes(dump_bytes(body), http_status, headers)


OK_META = {"200-1": dump_bytes(meta(MSG_OK, "200-1")), "201-1": dump_bytes(meta(MSG_OK, "201-1"))}
"""The meta of a success with the usual message, encoded once (a success's envelope is the
data's JSON between two fixed parts: the same bytes as encoding the whole dict)."""


def _success(data: Any, message: str, code: str, http_status: int) -> web.Response:
    if message != MSG_OK:
        return render({"data": data, "meta": meta(message, code)}, http_status)
    body = b"".join((b'{"data":', dump_bytes(data), b',"meta":', OK_META[code], b"}"))
    return json_bytes(body, http_status)


def ok(data: Any = None, *, message: str = MSG_OK) -> web.Response:
    return _success(data, message, "200-1", 200)


def created(data: Any = None, *, message: str = MSG_OK) -> web.Response:
    return _success(data, message, "201-1", 201)


def error(
    http_status: int,
    message_code: str,
    message: str,
    errors: Mapping[str, Sequence[str]] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    body_meta = meta(message, message_code, status=False)
    body_meta["errors"] = {k: list(v) for k, v in (errors or {}).items()}
    return render({"data": None, "meta": body_meta}, http_status, headers=headers)


def _page_meta(count: int, *, page: int, per_page: int, total: int, path: str) -> dict[str, Any]:
    last_page = max(1, -(-total // per_page))
    first = (page - 1) * per_page + 1 if count else None
    return {
        "current_page": page,
        "from": first,
        "last_page": last_page,
        "path": path,
        "per_page": per_page,
        "to": first + count - 1 if first is not None else None,
        "total": total,
        **meta(MSG_OK, "200-1"),
    }


def paginated(items: list[Any], *, page: int, per_page: int, total: int, path: str) -> web.Response:
    """A Laravel-style page: paginator fields merged into meta."""
    body_meta = _page_meta(len(items), page=page, per_page=per_page, total=total, path=path)
    return render({"data": items, "meta": body_meta})


def paginated_json(
    items_json: bytes, count: int, *, page: int, per_page: int, total: int, path: str
) -> web.Response:
    """paginated() for items already encoded as a JSON array in UTF-8 (same bytes, no per-item
    dicts)."""
    body_meta = _page_meta(count, page=page, per_page=per_page, total=total, path=path)
    body = b"".join((b'{"data":', items_json, b',"meta":', dump_bytes(body_meta), b"}"))
    return json_bytes(body)


def unauthorized() -> ApiError:
    return ApiError(401, "400-1", MSG_BAD_CREDENTIALS)


def validation_failed(errors: Mapping[str, Sequence[str]]) -> ApiError:
    """422 400-2; the top message is the first field's first message, as in the spec."""
    first = next(iter(errors.values()), ["اطلاعات ارسالی معتبر نیست"])
    return ApiError(422, "400-2", first[0], errors)
