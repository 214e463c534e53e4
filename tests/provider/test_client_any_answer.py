"""Whatever a server answers, decoding it raises only the provider's typed errors.

Hypothesis throws arbitrary statuses, JSON of any shape and depth (``NaN`` and ``1e400``
included), broken envelopes and raw bytes at the answer decoder of every declared operation.
The wire-level cases (trickles, truncation, huge bodies) are in test_client_hostile_server.py.
"""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ippanel_provider.client import (
    CountryTarget,
    GeoTarget,
    InboxQuery,
    IPPanelApi,
    IPPanelError,
    JobTarget,
    parse_response,
)
from ippanel_provider.client.api import first_request
from ippanel_provider.client.engine import operation

SENDER = "+983000505"
ARGUMENTS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "login": (("user", "password"), {}),
    "send_sms_otp": (("token",), {}),
    "confirm_otp": (("token", "123456"), {}),
    "forgot_password": (("user", "09121234567"), {}),
    "change_password_by_token": (("token", "123456", "password"), {}),
    "logout": ((), {}),
    "check_token": ((), {}),
    "get_credit": ((), {}),
    "send_sms": ((["09121234567"], "hello"), {"sender": SENDER}),
    "send_peer_to_peer": (([(["09121234567"], "hi")],), {"sender": SENDER}),
    "send_peer_to_peer_file": (([("09121234567", "hi")],), {"sender": SENDER}),
    "send_postal_code": (("hello", [{"postal_code": 1234567890}]), {"sender": SENDER}),
    "send_pattern": (("code", "09121234567", {"name": "x"}), {"sender": SENDER}),
    "send_votp": (("1234", "09121234567"), {}),
    "cancel_scheduled": ((5,), {}),
    "calculate_price": (("hello", SENDER), {}),
    "outbox_report": ((), {}),
    "bulk_report": ((5,), {}),
    "bulk_stats": ((5,), {}),
    "bulk_recipients": ((5,), {}),
    "create_pattern": (("code %c%",), {"description": "d", "variables": ["c"]}),
    "list_patterns": ((), {}),
    "get_pattern": (("abc",), {}),
    "update_pattern": (("abc", "m %c%"), {"description": "d", "variables": {"c": "integer"}}),
    "delete_pattern": (("abc",), {}),
    "list_lines": ((), {}),
    "assign_line": ((10001, "user"), {}),
    "unassign_line": (("+983000505", 7), {}),
    "create_draft_group": (("t",), {}),
    "list_draft_groups": ((), {}),
    "rename_draft_group": ((1, "t"), {}),
    "delete_draft_group": ((1,), {}),
    "create_draft": ((1, "m"), {}),
    "list_drafts": ((), {"group_id": 1}),
    "update_draft": ((1, "m"), {}),
    "delete_drafts": (([1, 2],), {}),
    "list_phonebooks": ((), {}),
    "create_phonebook": (("t",), {"option_ids": [1]}),
    "update_phonebook": ((1,), {"title": "t"}),
    "delete_phonebooks": (([1],), {}),
    "list_contacts": ((), {"phonebook_id": 1}),
    "get_contact": ((1,), {}),
    "add_contacts": ((1, ["09121234567"]), {}),
    "update_contact": ((1, "09121234567"), {"phonebook_id": 1}),
    "delete_contacts": (([1],), {}),
    "import_contacts": ((1, ["09121234567"]), {}),
    "export_phonebook": ((1, os.devnull), {}),
    "request_phonebook_export": ((1,), {}),
    "list_options": ((), {}),
    "create_option": (("t", "int"), {}),
    "rename_option": ((1, "t"), {}),
    "delete_options": (([1],), {}),
    "send_phonebook": (("hi", [1]), {"sender": SENDER}),
    "send_keyword_phonebook": (("hi {ex_1}", [1]), {"sender": SENDER}),
    "sync_phonebook": (("customers", ["09121234567"]), {}),
    "messages_inbox": ((), {"from_id": 3}),
    "search_inbox": ((InboxQuery.build(options=["YES"]),), {}),
    "bank_provinces": ((), {"bank": "geolocation"}),
    "bank_counties": ((89,), {}),
    "bank_cities": ((212,), {}),
    "bank_genders": ((), {}),
    "country_counts": ((89,), {"gender": 1}),
    "geolocation_counts": ((89,), {"pre": "912"}),
    "job_categories": ((), {}),
    "job_subcategories": ((1,), {}),
    "job_counts": ((1,), {"operator": "mci"}),
    "send_country": (("hi", [CountryTarget(89, 912)]), {"sender": SENDER}),
    "send_geolocation": (("hi", [GeoTarget()]), {"sender": SENDER}),
    "send_job": (("hi", [JobTarget(1)]), {"sender": SENDER}),
    "send_file": ((["09121234567"], "hi"), {"sender": SENDER}),
    "send_keyword": (([["09121234567", "Ali"]], "hi {ex_B}"), {"sender": SENDER}),
}
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
