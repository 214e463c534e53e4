"""/api/acl/auth/*: login (login / ga / sms flows), OTPs, password reset, logout, check_token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ippanel_mock.http.envelope import ApiError, ok, unauthorized
from ippanel_mock.http.validation import read_json, require_object, validate
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.users import User

BACKEND = web.AppKey("backend", SandboxBackend)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

routes = web.RouteTableDef()


def backend_of(request: web.Request) -> SandboxBackend:
    return request.app[BACKEND]


def require_user(request: web.Request) -> User:
    """The caller behind the raw Authorization header (API key or final token), else 401."""
    user = backend_of(request).users.authenticate(request.headers.get("Authorization"))
    if user is None:
        raise unauthorized()
    return user


async def json_body(request: web.Request, schema: str, *, optional: bool = False) -> dict[str, Any]:
    """Read, check the object shape and validate against a request schema; raises ApiError."""
    limit = backend_of(request).config.max_body_bytes
    body = require_object(await read_json(request, limit, optional=optional))
    validate(schema, body)
    return body


def _or_401(value: Any) -> Any:
    if value is None or value is False:
        raise unauthorized()
    return value


@routes.post("/api/acl/auth/login")
async def login(request: web.Request) -> web.Response:
    body = await json_body(request, "login")
    result = _or_401(backend_of(request).users.login(body["username"], body["password"]))
    return ok({"method": result.method, "token": result.token})


@routes.post("/api/acl/auth/send_sms_otp")
async def send_sms_otp(request: web.Request) -> web.Response:
    body = await json_body(request, "send_sms_otp")
    result = _or_401(backend_of(request).users.send_sms_otp(body["token"]))
    return ok({"method": result.method, "token": result.token})


@routes.post("/api/acl/auth/confirm_otp")
async def confirm_otp(request: web.Request) -> web.Response:
    body = await json_body(request, "confirm_otp")
    result = _or_401(backend_of(request).users.confirm_otp(body["token"], body["otp"]))
    return ok({"token": result.token, "method": result.method})


@routes.post("/api/acl/auth/forgot_password")
async def forgot_password(request: web.Request) -> web.Response:
    body = await json_body(request, "forgot_password")
    token = _or_401(backend_of(request).users.forgot_password(body["username"], body["mobile"]))
    return ok({"token": token})


@routes.post("/api/acl/auth/change_password_by_token")
async def change_password_by_token(request: web.Request) -> web.Response:
    body = await json_body(request, "change_password_by_token")
    users = backend_of(request).users
    _or_401(users.change_password_by_token(body["token"], body["otp"], body["password"]))
    return ok(None)


@routes.post("/api/acl/auth/logout")
async def logout(request: web.Request) -> web.Response:
    header = request.headers.get("Authorization")
    if not header or not backend_of(request).users.logout(header):
        raise unauthorized()
    return ok(None)


@routes.post("/api/acl/auth/check_token")
async def check_token(request: web.Request) -> web.Response:
    user = require_user(request)
    return ok(
        {
            "user_name": user.username,
            "user_id": user.id,
            "document_block": user.document_block,
            "is_reseller": user.is_reseller,
            "send_block": user.send_block,
            "name": user.name,
        }
    )


__all__ = ["BACKEND", "ApiError", "backend_of", "json_body", "require_user", "routes"]
