"""An admin query parameter out of its range is refused with the range a person can read back:
the bounds the document states, in plain digits (``page must be from 1 to 1000000``, not
``1e+06``)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import create_app
from ippanel_mock.http.openapi import build_document
from sandbox_support import app_client


def written(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def bounded_admin_params() -> list[tuple[str, str, dict[str, Any]]]:
    """(path, name, schema) of every admin GET query parameter with a numeric range."""
    document = build_document(create_app(SandboxConfig()))
    found = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if not path.startswith("/__sandbox/") or operation is None or "{" in path:
            continue
        for param in operation.get("parameters", []):
            schema = param["schema"]
            if param["in"] == "query" and "minimum" in schema:
                found.append((path, param["name"], schema))
    return found


BOUNDED = bounded_admin_params()
CASES = [pytest.param(*case, id=f"{case[0]}?{case[1]}") for case in BOUNDED]


def test_the_walk_finds_large_bounds() -> None:
    assert any(schema.get("maximum", 0) >= 1_000_000 for _, _, schema in BOUNDED), BOUNDED


@pytest.mark.parametrize(("path", "name", "schema"), CASES)
async def test_out_of_range_names_the_range_in_plain_digits(
    aiohttp_client: Any, path: str, name: str, schema: dict[str, Any]
) -> None:
    client: TestClient = await app_client(aiohttp_client, SandboxConfig())
    low, high = schema["minimum"], schema.get("maximum")
    outside = high + 1 if high is not None else low - 1
    resp = await client.get(path, params={name: written(outside)})
    assert resp.status == 400, await resp.text()
    error = (await resp.json())["error"]
    bounds = f">= {written(low)}" if high is None else f"from {written(low)} to {written(high)}"
    assert error.startswith(f"{name} must be"), error
    assert error.endswith(bounds), error
    assert "e+" not in error
