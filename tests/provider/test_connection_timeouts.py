"""Connect and read timeouts are two connection fields with the documented defaults (5 s / 30 s);
the old single ``timeout`` extra still works (it sets both) and says it is deprecated."""

from __future__ import annotations

import time

import pytest
from airflow_support import set_connection, use_sandbox
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import NO_RETRY
from ippanel_provider.get_provider_info import CONNECTION_FIELDS
from ippanel_provider.hooks.ippanel import IPPanelConnectionError, IPPanelHook


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, (5.0, 30.0)),
        ({"connect_timeout": 3}, (3.0, 30.0)),
        ({"read_timeout": "60"}, (5.0, 60.0)),
        ({"connect_timeout": "2.5", "read_timeout": 45}, (2.5, 45.0)),
        ({"extra__ippanel__read_timeout": 12}, (5.0, 12.0)),  # form keys of older Airflow UIs
        ({"connect_timeout": "", "read_timeout": None}, (5.0, 30.0)),  # empty form fields
        ({"timeout": 10}, (10.0, 10.0)),  # deprecated: one number for both
        ({"timeout": [2, 20]}, (2.0, 20.0)),
        ({"timeout": 10, "read_timeout": 40}, (10.0, 40.0)),  # the new field wins
    ],
)
def test_timeouts_reach_the_client(
    monkeypatch: pytest.MonkeyPatch, extra: dict[str, object], expected: tuple[float, float]
) -> None:
    set_connection(monkeypatch, password="a-long-api-key", extra=extra)
    with IPPanelHook() as hook:
        assert hook.config.timeout == expected
        assert hook.get_conn().timeout == expected


def test_the_form_defaults_are_the_client_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """A connection saved from the UI form as prefilled behaves like one with no timeouts."""
    defaults = {
        name: CONNECTION_FIELDS[name]["schema"]["default"]
        for name in ("connect_timeout", "read_timeout")
    }
    assert defaults == {"connect_timeout": 5, "read_timeout": 30}
    set_connection(monkeypatch, password="a-long-api-key", extra=defaults)
    with IPPanelHook() as hook:
        assert hook.get_conn().timeout == (5.0, 30.0)
    assert "timeout" not in CONNECTION_FIELDS  # the old single field is off the form


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"connect_timeout": "soon"}, "connect_timeout"),
        ({"read_timeout": 0}, "read_timeout"),
        ({"read_timeout": True}, "read_timeout"),
        ({"timeout": -1}, "timeout"),
    ],
)
def test_bad_timeouts_name_the_field(
    monkeypatch: pytest.MonkeyPatch, extra: dict[str, object], named: str
) -> None:
    set_connection(monkeypatch, password="a-long-api-key", extra=extra)
    with pytest.raises(IPPanelConnectionError, match=f"'{named}' must be a positive number"):
        IPPanelHook().get_conn()


def test_the_old_timeout_extra_logs_a_deprecation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_connection(monkeypatch, password="a-long-api-key", extra={"timeout": 10})
    IPPanelHook().config  # noqa: B018
    out = capsys.readouterr().out
    assert "extra 'timeout' is deprecated" in out
    assert "connect_timeout" in out
    assert "read_timeout" in out


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_read_timeout_from_the_connection_bounds_a_slow_answer(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    """IPPanel answers after 2 s: a 0.5 s read timeout gives up, the 30 s default waits."""
    import requests

    requests.post(
        f"{ippanel_sandbox.url}/__sandbox/chaos",
        json={"route": "POST /api/acl/auth/check_token", "probability": 1.0, "latency_ms": 2000},
        timeout=10,
    ).raise_for_status()
    use_sandbox(monkeypatch, ippanel_sandbox, read_timeout=0.5)
    started = time.monotonic()
    ok, message = IPPanelHook(client_kwargs={"read_retry": NO_RETRY}).test_connection()
    assert (ok, time.monotonic() - started < 1.9) == (False, True), message
    use_sandbox(monkeypatch, ippanel_sandbox)
    ok, message = IPPanelHook(client_kwargs={"read_retry": NO_RETRY}).test_connection()
    assert ok, message
