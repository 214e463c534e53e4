"""Both clients come from one declaration (``client/api.py``), and each loads only its own
HTTP library.

The Airflow triggerer imports the async client inside its event loop: ``requests`` there is
dead weight that blocks the loop while it loads.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
from ippanel_provider.client import AsyncIPPanelClient, IPPanelApi, IPPanelClient, protocol
from ippanel_provider.client.api import first_request
from ippanel_provider.client.engine import operation, paged

DECLARED = sorted(
    {
        name
        for owner in IPPanelApi.__mro__  # the mixins too (inbox, audience sends, ...)
        for name, value in vars(owner).items()
        if isinstance(value, operation | paged) and not name.startswith("_")
    }
)


def public_methods(client: object) -> set[str]:
    names = (name for name in dir(client) if not name.startswith("_"))
    return {name for name in names if callable(getattr(client, name))}


def test_every_public_method_is_declared_once_and_exists_on_both_clients() -> None:
    transport_only = {"close"}
    assert public_methods(IPPanelClient(api_key="k")) - transport_only == set(DECLARED)
    assert public_methods(AsyncIPPanelClient(api_key="k")) - transport_only == set(DECLARED)


@pytest.mark.parametrize("name", DECLARED)
def test_both_clients_share_name_signature_and_docstring(name: str) -> None:
    blocking = getattr(IPPanelClient(api_key="k"), name)
    awaited = getattr(AsyncIPPanelClient(api_key="k"), name)
    assert blocking.__name__ == awaited.__name__ == name
    assert blocking.__doc__ == awaited.__doc__ == getattr(IPPanelApi, name).__doc__
    assert blocking.__doc__
    sync_params = inspect.signature(blocking).parameters
    assert list(sync_params) == list(inspect.signature(awaited).parameters)
    assert "self" not in sync_params
    if isinstance(getattr(IPPanelApi, name), paged):
        assert inspect.isgeneratorfunction(blocking)
        assert inspect.isasyncgenfunction(awaited)
    else:
        assert not inspect.iscoroutinefunction(blocking)
        assert inspect.iscoroutinefunction(awaited)


def test_old_request_builders_warn_and_build_the_declared_request() -> None:
    with pytest.warns(DeprecationWarning, match="IPPanelApi.bulk_recipients"):
        old = protocol.bulk_recipients(77, 2, 50)
    new = first_request(IPPanelApi.bulk_recipients, 77, page=2, per_page=50)
    assert (old.method, old.path, old.params, old.summary) == (
        new.method,
        new.path,
        new.params,
        new.summary,
    )
    with pytest.warns(DeprecationWarning, match="IPPanelApi.login"):
        assert protocol.login("u", "p").json == {"username": "u", "password": "p"}
    with pytest.raises(AttributeError):
        protocol.no_such_builder  # noqa: B018


def loaded_after(statement: str) -> set[str]:
    """Modules a fresh interpreter holds after running ``statement``."""
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(done.stdout))


def test_async_client_does_not_load_requests() -> None:
    loaded = loaded_after("from ippanel_provider.client.aio import AsyncIPPanelClient")
    assert "aiohttp" in loaded
    assert not {"requests", "urllib3"} & loaded


def test_blocking_client_does_not_load_aiohttp() -> None:
    loaded = loaded_after("from ippanel_provider.client import IPPanelClient")
    assert "requests" in loaded
    assert "aiohttp" not in loaded


def test_package_loads_no_http_library_until_a_client_is_asked_for() -> None:
    loaded = loaded_after("import ippanel_provider.client as c; c.Credentials; c.OutboxState")
    assert not {"requests", "urllib3", "aiohttp"} & loaded
