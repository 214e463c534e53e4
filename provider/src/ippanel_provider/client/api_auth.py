"""Logging in, the one-time codes, password changes, the token and the credit, declared once
(no I/O here).

A mixin of :class:`~ippanel_provider.client.api.IPPanelApi`: each method is a generator of
requests like those of ``api.py``. The login token an operation gets is kept in the client's
``TokenState`` (unless the client has an API key), so later calls use it.
"""

from __future__ import annotations

from .core import Operation, TokenState, auth_request, confirm_otp_request, login_request
from .engine import operation
from .models import AccountInfo, LoginResult
from .protocol import (
    AUTH_PREFIX,
    decode_account,
    decode_credit,
    decode_login,
    decode_nothing,
    decode_token,
    read,
    write,
)


class AuthApi:
    """Login, OTPs, passwords, the token and the credit: a mixin of ``IPPanelApi``."""

    _auth: TokenState

    @operation
    def login(self, username: str, password: str) -> Operation[LoginResult]:
        """Log in; a ``login``-method account's token is kept for later calls. ``ga`` and
        ``sms`` accounts get a temporary token to confirm with :meth:`confirm_otp`.

        :param username: the account's username.
        :param password: the account's password.
        :returns: the login ``method`` and the token.
        """
        result: LoginResult = yield login_request(username, password)
        if result.method == "login" and not self._auth.api_key:
            self._auth.store(result.token)
        return result

    @operation
    def send_sms_otp(self, token: str) -> Operation[LoginResult]:
        """Ask IPPanel to text the login OTP for a temporary ``sms`` token.

        :param token: the temporary token :meth:`login` returned.
        """
        body = {"token": token}
        return (yield auth_request("send_sms_otp", body, decode_login, "send login OTP by SMS"))

    @operation
    def confirm_otp(self, token: str, otp: str) -> Operation[LoginResult]:
        """Confirm a temporary token with its OTP; the final token is kept for later calls.

        :param token: the temporary token :meth:`login` returned.
        :param otp: the one-time code (authenticator or SMS).
        """
        result: LoginResult = yield confirm_otp_request(token, otp)
        if not self._auth.api_key:
            self._auth.store(result.token)
        return result

    @operation
    def forgot_password(self, username: str, mobile: str) -> Operation[str]:
        """Start a password change; returns the change token the texted OTP confirms.

        :param username: the account's username.
        :param mobile: the account's mobile number, where IPPanel texts the OTP.
        """
        body = {"username": username, "mobile": mobile}
        summary = "request password-change OTP"
        return (yield auth_request("forgot_password", body, decode_token, summary))

    @operation
    def change_password_by_token(self, token: str, otp: str, password: str) -> Operation[None]:
        """Set a new password with the token of :meth:`forgot_password` and its OTP.

        :param token: the change token :meth:`forgot_password` returned.
        :param otp: the code IPPanel texted.
        :param password: the new password.
        """
        body = {"token": token, "otp": otp, "password": password}
        yield auth_request("change_password_by_token", body, decode_nothing, "change password")

    @operation
    def logout(self) -> Operation[None]:
        """End the login token's session; the client forgets the token either way."""
        try:
            yield write("POST", AUTH_PREFIX + "logout", decode_nothing, "logout")
        finally:
            self._auth.invalidate()

    @operation
    def check_token(self) -> Operation[AccountInfo]:
        """The account behind the API key or token."""
        return (yield read("POST", AUTH_PREFIX + "check_token", decode_account, "check token"))

    @operation
    def get_credit(self) -> Operation[float]:
        """The account's credit in Rial."""
        return (yield read("GET", "/api/payment/credit/mine", decode_credit, "get credit"))
