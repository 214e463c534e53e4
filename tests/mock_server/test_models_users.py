"""Accounts, tokens, OTPs and TOTP, without HTTP."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.users import DEFAULT_TOTP_SECRET, UserError
from sandbox_support import API_KEY, PASSWORD


@pytest.fixture
def backend() -> SandboxBackend:
    return SandboxBackend(SandboxConfig())


def last_otp(backend: SandboxBackend, mobile: str) -> str:
    otp_messages = [m for m in backend.messages._items if m.recipient == mobile]
    return otp_messages[-1].text.rsplit(" ", 1)[-1]


def test_default_accounts_authenticate_with_their_api_keys(backend: SandboxBackend) -> None:
    for username in ("sandbox", "sandbox-ga", "sandbox-sms"):
        key = API_KEY if username == "sandbox" else f"{username}-api-key"
        user = backend.users.authenticate(key)
        assert user is not None
        assert user.username == username
        assert user.credit == 1e12
    assert backend.users.authenticate("nope") is None


def test_plain_login_token_lives_ten_hours(backend: SandboxBackend) -> None:
    result = backend.users.login("sandbox", PASSWORD)
    assert result is not None
    assert result.method == "login"
    assert backend.users.authenticate(result.token) is not None
    backend.clock.advance(10 * 3600 - 1)
    assert backend.users.authenticate(result.token) is not None
    backend.clock.advance(2)
    assert backend.users.authenticate(result.token) is None


def test_wrong_password_gets_nothing(backend: SandboxBackend) -> None:
    assert backend.users.login("sandbox", "wrong") is None
    assert backend.users.login("ghost", PASSWORD) is None


def test_totp_flow_accepts_a_real_authenticator_code(backend: SandboxBackend) -> None:
    pending = backend.users.login("sandbox-ga", PASSWORD)
    assert pending is not None
    assert pending.method == "ga"
    assert backend.users.authenticate(pending.token) is None
    final = backend.users.confirm_otp(pending.token, pyotp.TOTP(DEFAULT_TOTP_SECRET).now())
    assert final is not None
    assert backend.users.authenticate(final.token).username == "sandbox-ga"  # type: ignore[union-attr]


def test_sms_flow_captures_the_otp_for_the_users_mobile(backend: SandboxBackend) -> None:
    pending = backend.users.login("sandbox-sms", PASSWORD)
    assert pending is not None
    assert pending.method == "sms"
    mobile = backend.users.get("sandbox-sms").mobile  # type: ignore[union-attr]
    final = backend.users.confirm_otp(pending.token, last_otp(backend, mobile))
    assert final is not None
    assert final.method == "login"


def test_temporary_token_dies_after_six_minutes(backend: SandboxBackend) -> None:
    pending = backend.users.login("sandbox-sms", PASSWORD)
    assert pending is not None
    otp = last_otp(backend, "+989350000300")
    backend.clock.advance(6 * 60)
    assert backend.users.confirm_otp(pending.token, otp) is None


def test_five_wrong_otps_kill_the_temporary_token(backend: SandboxBackend) -> None:
    pending = backend.users.login("sandbox-sms", PASSWORD)
    assert pending is not None
    otp = last_otp(backend, "+989350000300")
    wrong = "000000" if otp != "000000" else "111111"
    for _ in range(5):
        assert backend.users.confirm_otp(pending.token, wrong) is None
    assert backend.users.confirm_otp(pending.token, otp) is None


def test_forgot_password_then_change_it(backend: SandboxBackend) -> None:
    token = backend.users.forgot_password("sandbox", "09120000100")
    assert token is not None
    otp = last_otp(backend, "+989120000100")
    assert backend.users.change_password_by_token(token, otp, "new-secret")
    assert backend.users.login("sandbox", PASSWORD) is None
    assert backend.users.login("sandbox", "new-secret") is not None
    assert backend.users.forgot_password("sandbox", "+989129999999") is None


def test_logout_ends_a_token(backend: SandboxBackend) -> None:
    result = backend.users.login("sandbox", PASSWORD)
    assert result is not None
    assert backend.users.logout(result.token)
    assert backend.users.authenticate(result.token) is None
    assert not backend.users.logout(result.token)


def test_bad_user_definitions_are_rejected_and_change_nothing(backend: SandboxBackend) -> None:
    before = len(backend.users.all())
    with pytest.raises(UserError, match="mobile"):
        backend.users.create_user("x", mobile="123")
    with pytest.raises(UserError, match="already exists"):
        backend.users.create_user("sandbox", mobile="09121112233")
    with pytest.raises(UserError, match="api key"):
        backend.users.create_user("y", mobile="09121112233", api_keys=[API_KEY])
    with pytest.raises(UserError, match="method"):
        backend.users.create_user("z", mobile="09121112233", method="fax")
    assert len(backend.users.all()) == before


def test_users_file_adds_accounts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "users.json"
    path.write_text(
        '[{"username": "qa", "mobile": "09121110000", "api_key": "qa-key", "credit": 5}]'
    )
    backend = SandboxBackend(SandboxConfig(users_file=str(path)))
    user = backend.users.authenticate("qa-key")
    assert user is not None
    assert user.credit == 5


@pytest.mark.parametrize("credit", [float("nan"), float("inf"), -float("inf"), 1e16, -1.0])
def test_credit_is_a_finite_number_in_range_wherever_it_is_set(
    backend: SandboxBackend, credit: float
) -> None:
    before = {u.username: u.credit for u in backend.users.all()}
    rule = r"^credit must be a finite number from 0 to 1000000000000000$"
    with pytest.raises(UserError, match=rule):
        backend.users.create_user("qa", mobile="09121110000", credit=credit)
    with pytest.raises(UserError, match=rule):
        backend.users.set_credit("sandbox", credit)
    assert {u.username: u.credit for u in backend.users.all()} == before


def test_a_users_file_with_nan_credit_is_refused_naming_the_user(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('{"users": [{"username": "qa", "mobile": "09121110000", "credit": NaN}]}')
    with pytest.raises(UserError) as info:
        SandboxBackend(SandboxConfig(users_file=str(path)))
    assert info.value.message == (
        "user 1 ('qa'): credit must be a finite number from 0 to 1000000000000000"
    )


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("name", "NaN", "name must be a string"),
        ("is_reseller", '"yes"', "is_reseller must be true or false"),
        ("api_keys", "5", "api_keys must be a list of non-empty strings"),
        ("senders", "5", "senders must be a list of line numbers"),
    ],
)
def test_a_users_file_field_of_the_wrong_kind_is_refused_naming_user_and_field(
    tmp_path: Path, field: str, value: str, rule: str
) -> None:
    """The users file is not read through the admin API's schema: the model checks each field
    (a number for `api_keys` was a TypeError, "yes" for `is_reseller` made a reseller)."""
    path = tmp_path / "users.json"
    path.write_text(f'[{{"username": "qa", "mobile": "09121110000", "{field}": {value}}}]')
    with pytest.raises(UserError) as info:
        SandboxBackend(SandboxConfig(users_file=str(path)))
    assert info.value.message == f"user 1 ('qa'): {rule}"
