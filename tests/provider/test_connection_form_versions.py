"""What the connection form shows for an ``ippanel`` connection, as the UI's own API builds it,
on every tested Airflow: 3.3 reads the provider info, 3.0/3.1 convert the hook's wtforms fields."""

from __future__ import annotations

from typing import Any

import airflow_matrix
import pytest

LOCKED = airflow_matrix.LOCKED

PROBE = """
import json
from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService
[meta] = [m for m in HookMetaService.hook_meta_data() if m.connection_type == "ippanel"]
print(json.dumps(meta.model_dump(mode="json")))
"""


@pytest.fixture(scope="module", params=airflow_matrix.TESTED, ids=lambda v: f"airflow-{v}")
def form(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("home")
    return airflow_matrix.probe(request.param, PROBE, home), request.param


@pytest.mark.airflow
def test_timeouts_are_two_fields_prefilled_with_the_real_defaults(form: Any) -> None:
    meta, _ = form
    extras = meta["extra_fields"]
    assert set(extras) == {
        "sender",
        "connect_timeout",
        "read_timeout",
        "totp_secret",
        "recipients_per_request",
        "verify",
        "proxy",
    }
    assert (extras["connect_timeout"]["value"], extras["read_timeout"]["value"]) == (5, 30)
    assert extras["connect_timeout"]["schema"]["title"] == "Connect timeout (seconds)"
    assert extras["read_timeout"]["schema"]["title"] == "Read timeout (seconds)"
    assert "read" not in extras["connect_timeout"]["schema"]["title"].lower()


@pytest.mark.airflow
def test_sender_and_proxy_show_an_example(form: Any) -> None:
    meta, airflow = form
    extras = meta["extra_fields"]
    assert "+983000505" in extras["sender"]["description"]
    assert "http://proxy.example:3128" in extras["proxy"]["description"]
    if airflow == LOCKED:  # 3.2+: the examples are a suggestion while typing, not a placeholder
        assert extras["sender"]["schema"]["examples"] == ["+983000505"]
        assert extras["proxy"]["schema"]["examples"] == ["http://proxy.example:3128"]


@pytest.mark.airflow
def test_standard_fields_are_relabelled_with_placeholders(form: Any) -> None:
    meta, _ = form
    fields = meta["standard_fields"]
    assert fields["host"]["title"] == "Base URL"
    assert fields["host"]["placeholder"] == "https://edge.ippanel.com/v1"
    assert fields["password"]["title"] == "API key"
    assert fields["port"]["hidden"] is True
