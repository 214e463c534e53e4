"""The jsonschema-rs fast path never passes a body that `jsonschema` rejects.

The sandbox answers "valid" from jsonschema-rs alone and sends every rejection back through
`jsonschema` (the judge and the source of the Persian messages), so its verdict equals
`jsonschema`'s exactly when jsonschema-rs accepts nothing `jsonschema` rejects. Checked here on
hypothesis bodies built from every shipped request schema (near-valid and arbitrary, strings
from the schemas' own patterns under Python's regex rules), on the spec's request examples,
and, through the pytest plugin's cross-check, on every body any test of the suite sends.
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ippanel_mock.http.validation import (
    SCHEMA_PACKAGE,
    fast_validator,
    load_schema,
    request_validator,
    schema_errors,
)

SCHEMA_NAMES = sorted(
    p.name.removesuffix(".json")
    for p in resources.files(SCHEMA_PACKAGE).joinpath("requests").iterdir()
    if p.name.endswith(".json")
)
SPEC_REQUEST_BODIES = Path(__file__).resolve().parents[2] / "fixtures/spec_requests/bodies.json"
"""Every JSON request body of the spec (../shared/spec/ippanel-edge-api.md), copied once."""

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-5, max_value=10**10).map(float)
    | st.text(max_size=12)
    | st.sampled_from(["", "\n", "۱۲۳", "١٢", "+98", "+98912\n", "0912", "2024-02-29 10:00:00\n"])
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _string(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 40)
    options = [st.text(min_size=max(0, low - 1), max_size=min(high + 2, 60))]
    if "pattern" in schema:
        options.append(st.from_regex(schema["pattern"]).filter(lambda s: len(s) <= 80))
        options.append(st.from_regex(schema["pattern"], fullmatch=True))
    return st.one_of(options)


def _typed(kind: str, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if kind == "string":
        return _string(schema)
    if kind in ("integer", "number"):
        low = math.floor(schema.get("minimum", -(10**6))) - 2
        high = math.ceil(schema.get("maximum", 10**12)) + 2
        ints = st.integers(min_value=low, max_value=high)
        return ints | ints.map(float) | st.floats(min_value=low, max_value=high)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = conforming(schema["items"]) if "items" in schema else ANY_JSON
        low = schema.get("minItems", 0)
        high = min(schema.get("maxItems", 4), low + 4)
        return st.lists(items, min_size=max(0, low - 1), max_size=high + 1)
    if kind == "object":
        props = schema.get("properties", {})
        required = [name for name in schema.get("required", []) if name in props]
        optional = {n: conforming(s) for n, s in props.items() if n not in required}
        base = st.fixed_dictionaries({n: conforming(props[n]) for n in required}, optional=optional)
        extra = st.dictionaries(st.sampled_from(["extra", *props]), ANY_JSON, max_size=2)
        dropped = st.sampled_from([None, *props])
        how = st.sampled_from(["as is", "as is", "extra keys", "one key dropped"])

        def assemble(parts: tuple[dict[str, Any], dict[str, Any], str | None, str]) -> Any:
            body, more, drop, mutation = parts
            if mutation == "extra keys":
                return {**body, **more}
            if mutation == "one key dropped" and drop is not None:
                return {k: v for k, v in body.items() if k != drop}
            return body

        return st.tuples(base, extra, dropped, how).map(assemble)
    return ANY_JSON


def conforming(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Mostly bodies close to the schema (valid or one step off), sometimes anything at all."""
    options: list[st.SearchStrategy[Any]] = []
    if "const" in schema:
        options.append(st.just(schema["const"]))
    if "enum" in schema:
        options.append(st.sampled_from(schema["enum"]))
    kinds = schema.get("type")
    for kind in kinds if isinstance(kinds, list) else [kinds] if kinds else []:
        options.append(_typed(kind, schema))
    near = st.one_of(options) if options else ANY_JSON
    return st.one_of(near, near, near, ANY_JSON)


def _verdicts(name: str, body: Any) -> tuple[bool, bool]:
    return fast_validator(name).is_valid(body), request_validator(name).is_valid(body)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_sandbox_verdict_is_jsonschemas(name: str, data: st.DataObject) -> None:
    body = data.draw(conforming(load_schema("requests", name)), label="body")
    fast, exact = _verdicts(name, body)
    assert exact or not fast, f"jsonschema-rs passed a body jsonschema rejects: {body!r}"
    errors = schema_errors(name, body)
    assert (errors == {}) is exact
    if not exact:
        assert all(messages for messages in errors.values())


def test_python_only_matches_are_accepted_like_before() -> None:
    """A send_time with a final newline: ECMA `$` refuses it, Python's accepts; jsonschema wins."""
    body = {
        "sending_type": "webservice",
        "from_number": "+983000505",
        "message": "سلام",
        "params": {"recipients": ["+989121234567"]},
        "send_time": "2030-01-02 03:04:05\n",
    }
    assert fast_validator("send_webservice").is_valid(body) is False
    assert request_validator("send_webservice").is_valid(body) is True
    assert schema_errors("send_webservice", body) == {}


def _spec_request_bodies() -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = json.loads(SPEC_REQUEST_BODIES.read_text("utf-8"))
    return bodies


def test_spec_request_examples_agree_on_every_schema() -> None:
    bodies = _spec_request_bodies()
    assert bodies, "no JSON request examples found in the spec"
    for body in bodies:
        for name in SCHEMA_NAMES:
            fast, exact = _verdicts(name, body)
            assert exact or not fast, (name, body)
