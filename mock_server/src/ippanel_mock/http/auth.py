"""/api/acl/auth/*: login (login / ga / sms flows), OTPs, password reset, logout, check_token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from ippanel_mock.http.body_specs import JsonBody
from ippanel_mock.http.envelope import ok, unauthorized
from ippanel_mock.http.operations import Call, CallHandler, Operations

routes = Operations("public")


def credentials_step(
    name: str, summary: str, *, error_response: str | None = None
) -> Callable[[CallHandler], CallHandler]:
    """A step of logging in or resetting a password: no caller yet, a body, 401 when refused."""
    return routes.post(
        f"/api/acl/auth/{name}",
        summary,
        body=JsonBody(name),
        response=name,
        statuses=(401,),
        auth=False,
        error_response=error_response,
    )


def _or_401(value: Any) -> Any:
    if value is None or value is False:
        raise unauthorized()
    return value


@credentials_step("login", "Log in with username and password", error_response="login_error")
async def login(call: Call) -> web.Response:
    result = _or_401(call.backend.users.login(call.body["username"], call.body["password"]))
    return ok({"method": result.method, "token": result.token})


@credentials_step("send_sms_otp", "Send the login OTP by SMS")
async def send_sms_otp(call: Call) -> web.Response:
    result = _or_401(call.backend.users.send_sms_otp(call.body["token"]))
    return ok({"method": result.method, "token": result.token})


@credentials_step("confirm_otp", "Confirm the OTP (SMS or TOTP)")
async def confirm_otp(call: Call) -> web.Response:
    result = _or_401(call.backend.users.confirm_otp(call.body["token"], call.body["otp"]))
    return ok({"token": result.token, "method": result.method})


@credentials_step("forgot_password", "Request an OTP to change the password")
async def forgot_password(call: Call) -> web.Response:
    token = _or_401(call.backend.users.forgot_password(call.body["username"], call.body["mobile"]))
    return ok({"token": token})


@credentials_step("change_password_by_token", "Change the password with the OTP")
async def change_password_by_token(call: Call) -> web.Response:
    body = call.body
    _or_401(
        call.backend.users.change_password_by_token(body["token"], body["otp"], body["password"])
    )
    return ok(None)


@routes.post("/api/acl/auth/logout", "Log out (end the token)", response="logout")
async def logout(call: Call) -> web.Response:
    _or_401(call.backend.users.logout(call.request.headers.get("Authorization", "")))
    return ok(None)


@routes.post("/api/acl/auth/check_token", "Who the token belongs to", response="check_token")
async def check_token(call: Call) -> web.Response:
    user = call.user
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
