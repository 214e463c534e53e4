"""Whatever a server answers, decoding it raises only the provider's typed errors.

Hypothesis throws arbitrary statuses, JSON of any shape and depth (``NaN`` and ``1e400``
included), broken envelopes and raw bytes at the answer decoder of every declared operation.
The wire-level cases (trickles, truncation, huge bodies) are in test_client_hostile_server.py.
"""

from __future__ import annotations

import json

from client_operations import ARGUMENTS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ippanel_provider.client import (
    IPPanelApi,
    IPPanelError,
    parse_response,
)
from ippanel_provider.client.api import first_request
from ippanel_provider.client.engine import operation

OPERATIONS = sorted(
    {
        name
        for cls in IPPanelApi.__mro__  # api.py and its mixins
        for name, value in vars(cls).items()
        if isinstance(value, operation)
    }
)
REQUESTS = {
    name: first_request(getattr(IPPanelApi, name), *args, **kwargs)
    for name, (args, kwargs) in ARGUMENTS.items()
}

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=30,
)
meta_values = st.fixed_dictionaries(
    {},
    optional={
        "status": json_values,
        "message": json_values,
        "message_code": json_values,
        "errors": json_values,
        "current_page": json_values,
        "last_page": json_values,
        "total": json_values,
    },
)
envelopes = st.fixed_dictionaries(
    {}, optional={"data": json_values, "meta": meta_values | json_values, "errors": json_values}
).map(lambda value: json.dumps(value).encode())
nested = st.integers(1, 50_000).map(lambda n: b'{"data": ' + b"[" * n + b"]" * n + b"}")
bodies = (
    envelopes | nested | st.binary(max_size=64) | json_values.map(lambda v: json.dumps(v).encode())
)
statuses = st.sampled_from([200, 201, 204, 400, 401, 404, 413, 422, 429, 500, 502, 503, 504])


def test_every_operation_is_covered() -> None:
    assert set(ARGUMENTS) == set(OPERATIONS)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(REQUESTS)), status=statuses, body=bodies)
def test_any_answer_decodes_or_raises_a_typed_error(name: str, status: int, body: bytes) -> None:
    request = REQUESTS[name]
    retry_after = {"Retry-After": "1e400"}
    try:
        parse_response(request, status, retry_after, body)
    except IPPanelError as error:
        str(error)  # and its message can be built and logged
