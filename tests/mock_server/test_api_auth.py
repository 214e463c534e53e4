"""Auth routes over HTTP: three login flows, tokens on the sandbox clock, OTP limits, reset."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyotp
import pytest
from ippanel_mock.models.users import DEFAULT_TOTP_SECRET
from sandbox_support import API_KEY, PASSWORD, SMS_API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api


LOGIN = "/api/acl/auth/login"
MSG_BAD = "اطلاعات وارد شده صحیح نمی باشد"


async def login(api: Api, username: str, password: str = PASSWORD, expect: int = 200) -> dict:  # type: ignore[type-arg]
    _, body = await api.call(
        "login", "POST", LOGIN, key=None, json={"username": username, "password": password},
        expect=expect,
    )  # fmt: skip
    return body


async def check(api: Api, token: str, expect: int) -> dict:  # type: ignore[type-arg]
    _, body = await api.call(
        "check_token", "POST", "/api/acl/auth/check_token", key=token, expect=expect
    )
    return body


async def test_plain_login_gives_a_final_token(api: Api) -> None:
    body = await login(api, "sandbox")
    assert body["data"]["method"] == "login"
    info = await check(api, body["data"]["token"], 200)
    assert info["data"]["user_name"] == "sandbox"


async def test_final_token_expires_after_ten_hours(api: Api) -> None:
    token = (await login(api, "sandbox"))["data"]["token"]
    api.backend.clock.advance(10 * 3600 - 5)
    await check(api, token, 200)
    api.backend.clock.advance(10)
    body = await check(api, token, 401)
    assert body["meta"]["message_code"] == "400-1"
    assert body["meta"]["message"] == MSG_BAD


async def test_api_key_never_expires(api: Api) -> None:
    api.backend.clock.advance(365 * 86400)
    await check(api, API_KEY, 200)


async def test_ga_flow_with_a_real_totp_code(api: Api) -> None:
    pending = (await login(api, "sandbox-ga"))["data"]
    assert pending["method"] == "ga"
    await check(api, pending["token"], 401)
    code = pyotp.TOTP(DEFAULT_TOTP_SECRET).now()
    _, body = await api.call(
        "confirm_otp", "POST", "/api/acl/auth/confirm_otp", key=None,
        json={"token": pending["token"], "otp": code}, expect=200,
    )  # fmt: skip
    assert body["data"]["method"] == "login"
    info = await check(api, body["data"]["token"], 200)
    assert info["data"]["user_name"] == "sandbox-ga"


async def test_ga_flow_rejects_a_wrong_code(api: Api) -> None:
    pending = (await login(api, "sandbox-ga"))["data"]
    good = pyotp.TOTP(DEFAULT_TOTP_SECRET).now()
    wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
    await api.call(
        "confirm_otp", "POST", "/api/acl/auth/confirm_otp", key=None,
        json={"token": pending["token"], "otp": wrong}, expect=401,
    )  # fmt: skip


async def test_sms_flow_sends_an_otp_and_resend_works(api: Api) -> None:
    pending = (await login(api, "sandbox-sms"))["data"]
    assert pending["method"] == "sms"
    mobile = api.backend.users.get("sandbox-sms").mobile  # type: ignore[union-attr]
    first = api.last_otp(mobile)
    _, resent = await api.call(
        "send_sms_otp", "POST", "/api/acl/auth/send_sms_otp", key=None,
        json={"token": pending["token"]}, expect=200,
    )  # fmt: skip
    assert resent["data"] == {"method": "sms", "token": pending["token"]}
    second = api.last_otp(mobile)
    assert len(second) == 6
    _, body = await api.call(
        "confirm_otp", "POST", "/api/acl/auth/confirm_otp", key=None,
        json={"token": pending["token"], "otp": second}, expect=200,
    )  # fmt: skip
    await check(api, body["data"]["token"], 200)
    assert first.isdigit()


async def test_temporary_token_expires_after_six_minutes(api: Api) -> None:
    pending = (await login(api, "sandbox-sms"))["data"]
    otp = api.last_otp("+989350000300")
    api.backend.clock.advance(6 * 60 + 1)
    await api.call(
        "confirm_otp", "POST", "/api/acl/auth/confirm_otp", key=None,
        json={"token": pending["token"], "otp": otp}, expect=401,
    )  # fmt: skip
    await api.call(
        "send_sms_otp", "POST", "/api/acl/auth/send_sms_otp", key=None,
        json={"token": pending["token"]}, expect=401,
    )  # fmt: skip


async def test_five_wrong_otps_kill_the_login(api: Api) -> None:
    pending = (await login(api, "sandbox-sms"))["data"]
    otp = api.last_otp("+989350000300")
    wrong = "000000" if otp != "000000" else "111111"
    for _ in range(5):
        await api.call(
            "confirm_otp", "POST", "/api/acl/auth/confirm_otp", key=None,
            json={"token": pending["token"], "otp": wrong}, expect=401,
        )  # fmt: skip
    await api.call(
        "confirm_otp", "POST", "/api/acl/auth/confirm_otp", key=None,
        json={"token": pending["token"], "otp": otp}, expect=401,
    )  # fmt: skip


async def test_bad_credentials_are_401_400_1(api: Api) -> None:
    body = await login(api, "sandbox", "wrong", expect=401)
    assert body["meta"] == {
        "status": False, "message": MSG_BAD, "message_parameters": [],
        "message_code": "400-1", "errors": {},
    }  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"username": "sandbox"}, "password", "تکمیل گزینه گذرواژه الزامی است"),
        ({"password": "x"}, "username", "تکمیل گزینه نام کاربری الزامی است"),
        ({"username": 5, "password": "x"}, "username", "گزینه نام کاربری باید از نوع رشته باشد"),
    ],
)
async def test_login_validation_errors_are_422_400_2_in_persian(
    api: Api,
    payload: dict,
    field: str,
    message: str,  # type: ignore[type-arg]
) -> None:
    _, body = await api.call("login", "POST", LOGIN, key=None, json=payload, expect=422)
    assert body["meta"]["message_code"] == "400-2"
    assert body["meta"]["errors"][field] == [message]
    assert body["meta"]["message"] == message


async def test_forgot_and_change_password(api: Api) -> None:
    _, body = await api.call(
        "forgot_password", "POST", "/api/acl/auth/forgot_password", key=None,
        json={"username": "sandbox", "mobile": "09120000100"}, expect=200,
    )  # fmt: skip
    token = body["data"]["token"]
    otp = api.last_otp("+989120000100")
    await api.call(
        "change_password_by_token", "POST", "/api/acl/auth/change_password_by_token", key=None,
        json={"token": token, "otp": otp, "password": "brand-new"}, expect=200,
    )  # fmt: skip
    await login(api, "sandbox", expect=401)
    await login(api, "sandbox", "brand-new")


async def test_forgot_password_with_wrong_mobile_is_401_and_sends_nothing(api: Api) -> None:
    before = len(api.backend.messages)
    await api.call(
        "forgot_password", "POST", "/api/acl/auth/forgot_password", key=None,
        json={"username": "sandbox", "mobile": "09129999999"}, expect=401,
    )  # fmt: skip
    assert len(api.backend.messages) == before


async def test_change_password_validation_and_wrong_otp(api: Api) -> None:
    _, body = await api.call(
        "change_password_by_token", "POST", "/api/acl/auth/change_password_by_token", key=None,
        json={"token": "t", "otp": "1"}, expect=422,
    )  # fmt: skip
    assert body["meta"]["errors"] == {"password": ["تکمیل گزینه گذرواژه الزامی است"]}
    _, body = await api.call(
        "forgot_password", "POST", "/api/acl/auth/forgot_password", key=None,
        json={"username": "sandbox", "mobile": "+989120000100"}, expect=200,
    )  # fmt: skip
    await api.call(
        "change_password_by_token", "POST", "/api/acl/auth/change_password_by_token", key=None,
        json={"token": body["data"]["token"], "otp": "x", "password": "p"}, expect=401,
    )  # fmt: skip
    await login(api, "sandbox")


async def test_logout_ends_the_token(api: Api) -> None:
    token = (await login(api, "sandbox"))["data"]["token"]
    await api.call("logout", "POST", "/api/acl/auth/logout", key=token, expect=200)
    await check(api, token, 401)
    await api.call("logout", "POST", "/api/acl/auth/logout", key=token, expect=401)
    await api.call("logout", "POST", "/api/acl/auth/logout", key=None, expect=401)


async def test_check_token_reports_the_account(api: Api) -> None:
    body = await check(api, SMS_API_KEY, 200)
    assert body["data"]["user_name"] == "sandbox-sms"
    assert body["data"]["send_block"] is False
    await check(api, "not-a-key", 401)
