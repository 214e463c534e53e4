"""Any JSON value, at any depth, in any field of any route: a 2xx or a 4xx, never a 5xx, and the
sandbox stays healthy (every listing answers 200).

Routes come from the app's own declarations, so a new route is covered the day it is added (and
this test fails until it has a valid body to start from). Each example takes a valid body of a
route, replaces one field at any depth (or adds one, drops one, or replaces the whole body) with
an arbitrary value: NaN, Infinity, lone surrogates, huge numbers, nesting up to 1,500 deep;
query parameters get arbitrary bytes, percent-encoded. `make test` sends 2,000 bodies, 600
queries and 400 forms; a deep run multiplies them by IPPANEL_ANY_JSON_SCALE (e.g. 5).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_from_bytes

import aiohttp
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ippanel_mock import SandboxBackend, SandboxConfig
from ippanel_mock.http.operations import OPERATIONS, Operation
from sandbox_support import API_KEY, PASSWORD, AiohttpClient, Client, app_client
from yarl import URL

BATCH = 8
"""Bodies drawn per hypothesis example (drawing a batch costs about a third of drawing each
alone, and a failing batch still shrinks to the one body that fails)."""
SCALE = int(os.environ.get("IPPANEL_ANY_JSON_SCALE", "1"))
BODIES_PER_RUN = 2_000 * SCALE
QUERIES_PER_RUN = 600 * SCALE
BULK = 1_100_000_001
SEND_VARIANTS = [
    {"sending_type": "webservice", "from_number": "+983000505", "message": "hi",
     "params": {"recipients": ["09121234567", "+989350000003"]}},
    {"sending_type": "peer_to_peer", "from_number": "+983000505",
     "params": [{"recipients": ["09121234567"], "message": "a"}]},
    {"sending_type": "postal_code", "from_number": "+983000505", "message": "hi",
     "params": [{"postal_code": 131, "mci": {"start": 0, "size": 2}}],
     "other_recipients": ["09121234567"]},
    {"sending_type": "pattern", "code": "sandbox-otp", "recipients": ["09121234567"],
     "params": {"code": "1234"}, "send_time": "2999-01-01 10:00:00"},
    {"sending_type": "votp", "message": "12345", "params": {"recipients": ["09121234567"]}},
    {"sending_type": "country", "from_number": "+983000505", "message": "hi",
     "params": [{"bank": "all", "pre": 912, "province_id": 89, "gender": 0, "age_from": 1300,
                 "age_to": 1410, "mci": {"start": 0, "size": 2}}]},
    {"sending_type": "geolocation", "from_number": "+983000505", "message": "hi",
     "params": [{"province_id": 89, "operator": [{"start": 0, "size": 2, "id": 1}]}]},
    {"sending_type": "job", "from_number": "+983000505", "message": "hi",
     "params": [{"main_category_id": 1, "sub_category_id": 1,
                 "operator": [{"start": 0, "size": 2, "id": 2}]}]},
]  # fmt: skip
PATTERN = {
    "title": "t", "description": "d", "is_share": False, "message": "کد %code% برای %name%",
    "website": None,
    "variable": [{"name": "code", "type": "integer"}, {"name": "name", "type": "string"}],
}  # fmt: skip
PHONEBOOK, OPTION, CONTACT, DRAFT_GROUP, DRAFT = 860_001, 46_001, 1_001, 10_001, 30_001
"""Ids of the objects the `sandbox` fixture makes first (the sandbox numbers them from these)."""
VALID_BODIES: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("POST", "/api/acl/auth/login"): [{"username": "sandbox", "password": PASSWORD}],
    ("POST", "/api/acl/auth/send_sms_otp"): [{"token": "0" * 32}],
    ("POST", "/api/acl/auth/confirm_otp"): [{"token": "0" * 32, "otp": "123456"}],
    ("POST", "/api/acl/auth/forgot_password"): [{"username": "sandbox", "mobile": "09120000100"}],
    ("POST", "/api/acl/auth/change_password_by_token"): [
        {"token": "0" * 32, "otp": "123456", "password": "new"}
    ],
    ("POST", "/api/send"): SEND_VARIANTS,
    ("POST", "/api/send/cancel"): [{"message_outbox_id": BULK}],
    ("POST", "/api/send/calculate-price"): [{"number": "+989121234567", "message": "سلام"}],
    ("POST", "/api/report/new_list"): [
        {"page": 1, "limit": 10, "filters": {"state_id": "5", "message": "hi", "number": "+98"}}
    ],
    ("POST", "/api/report/by_bulk/{bulk_id}"): [{"page": 1}],
    ("POST", "/api/report/messages-inbox"): [
        {"page": 1, "per_page": 10, "filters": {"from_id": 0}}
    ],
    ("POST", "/__sandbox/inbox"): [
        {"from": "09351112222", "to": "+983000505", "text": "YES", "user": "sandbox"}
    ],
    ("POST", "/__sandbox/autoreplies"): [{"number": "09121234567", "reply": "YES", "delay": 1}],
    ("POST", "/__sandbox/patterns/{code}/review"): [{"status": "active"}, {"status": None}],
    ("POST", "/api/numbers/assign"): [
        {"number": "+9810001", "target_user": "sandbox-ga", "send": True, "gets": False}
    ],
    ("POST", "/api/numbers/unassign"): [{"number": "+9810001", "target_user": "sandbox-ga"}],
    ("POST", "/api/user/pattern"): [PATTERN],
    ("POST", "/api/patterns/normal"): [PATTERN],
    ("PUT", "/api/patterns/normal/{pattern_code}"): [PATTERN],
    ("POST", "/api/phonebooks"): [{"title": "qa", "options": [OPTION]}],
    ("PUT", "/api/phonebooks/{phonebook_id}"): [{"title": "qa2", "options": [OPTION]}],
    ("POST", "/api/phonebooks/delete-list"): [{"listPhonebooks": [PHONEBOOK]}],
    ("POST", "/api/phonebooks/{phonebook_id}/import"): [{}],  # multipart: forms test below
    ("POST", "/api/phonebooks/options"): [{"type": "string", "title": "city"}],
    ("PUT", "/api/phonebooks/options/{option_id}"): [{"title": "town"}],
    ("POST", "/api/phonebooks/options/delete-list"): [{"listOptions": [OPTION]}],
    ("POST", "/api/phonebooks/numbers/add-list-new"): [
        {
            "list": [
                {
                    "number": "09121234568",
                    "phonebook_id": PHONEBOOK,
                    "name": "a",
                    "options": {str(OPTION): "Tehran"},
                }
            ]
        }
    ],
    ("PUT", "/api/phonebooks/numbers/update-new/{contact_id}"): [
        {"number": "09121234569", "phonebook_id": PHONEBOOK, "pre": "Ms", "email": "a@b.ir"}
    ],
    ("POST", "/api/phonebooks/numbers/delete-list"): [{"listNumbers": [CONTACT]}],
    ("POST", "/api/user/draft/group"): [{"title": "g"}],
    ("PUT", "/api/user/draft/group"): [{"draft_group_id": DRAFT_GROUP, "title": "h"}],
    ("POST", "/api/user/draft/group/delete"): [{"draft_group_id": DRAFT_GROUP}],
    ("POST", "/api/user/draft"): [{"draft_group_id": DRAFT_GROUP, "message": "m"}],
    ("PUT", "/api/user/draft"): [{"draft_id": DRAFT, "message": "n"}],
    ("POST", "/api/user/draft/delete"): [{"draft_ids": [DRAFT]}],
    ("POST", "/__sandbox/users"): [
        {
            "username": "qa",
            "mobile": "09121110000",
            "api_key": "qa-key",
            "credit": 5,
            "name": "QA",
            "senders": ["+98100"],
            "api_keys": ["qa-2"],
            "method": "login",
        }
    ],
    ("POST", "/__sandbox/patterns"): [{"code": "qa", "text": "سلام %name%"}],
    ("POST", "/__sandbox/clock/advance"): [{"seconds": 1}],
    ("POST", "/__sandbox/clock/set"): [{"time": "2030-01-02T03:04:05Z"}, {"time": 1900000000}],
    ("POST", "/__sandbox/bulks/{bulk_id}/state"): [{"state_id": 9}],
    ("POST", "/__sandbox/chaos"): [{"route": "POST /api/send", "first_n": 1, "status": 503}],
    ("PUT", "/__sandbox/ratelimit"): [{"rate": 5, "burst": 3}],
}
PATH_VALUES = {
    "{bulk_id}": str(BULK), "{rule_id}": "1", "{username}": "sandbox-sms",
    "{phonebook_id}": str(PHONEBOOK), "{option_id}": str(OPTION), "{contact_id}": str(CONTACT),
}  # fmt: skip
"""Path parameters; a user pattern's code ({code}, {pattern_code}) is read when it is made."""
RELATED_LISTING = {
    "/__sandbox/users": "/__sandbox/users",
    "/__sandbox/patterns": "/__sandbox/patterns",
    "/__sandbox/clock": "/__sandbox/clock",
    "/__sandbox/chaos": "/__sandbox/chaos",
    "/api/send": "/__sandbox/messages?per_page=1000",
    "/__sandbox/inbox": "/__sandbox/inbox",
    "/__sandbox/autoreplies": "/__sandbox/autoreplies",
    "/api/phonebooks/numbers": "/api/phonebooks/numbers/contact-list",
    "/api/phonebooks/options": "/api/phonebooks/options/list-new",
    "/api/phonebooks": "/api/phonebooks/list-new",
    "/api/user/pattern": "/api/patterns",
    "/api/patterns": "/api/patterns",
    "/api/user/draft/group": "/api/user/draft/group/list",
    "/api/user/draft": f"/api/user/draft/list?draft_group_id={DRAFT_GROUP}",
    "/api/numbers": "/api/number/numbers",
    "/api/acl": "/__sandbox/users",
}
"""After a 2xx, the listing that shows what it changed (all of them at the end of the run)."""
LISTINGS = (
    ("GET", "/__sandbox/users"),
    ("GET", "/__sandbox/patterns"),
    ("GET", "/__sandbox/messages?per_page=1000"),
    ("GET", "/__sandbox/requests?per_page=1000"),
    ("GET", "/__sandbox/clock"),
    ("GET", "/__sandbox/chaos"),
    ("GET", "/__sandbox/inbox"),
    ("GET", "/__sandbox/autoreplies"),
    ("POST", "/api/report/new_list"),
    ("POST", "/api/report/messages-inbox"),
    ("GET", "/api/phonebooks/list-new"),
    ("GET", "/api/phonebooks/numbers/contact-list"),
    ("GET", "/api/phonebooks/options/list-new"),
    ("GET", "/api/patterns"),
    ("GET", "/api/user/draft/group/list"),
    ("GET", "/api/number/numbers"),
    ("GET", "/api/payment/credit/mine"),
)


@dataclass(frozen=True)
class Deep:
    """Arrays nested `depth` levels, written out directly (no encoder recursion)."""

    depth: int


SURROGATES = st.sampled_from(["\ud800", "a\udfffb", "\udc80\udcff", "\ud83d"])
SPECIAL = st.sampled_from(
    ["", " ", "0", "-1", "1e400", "NaN", "09121234567", "+989121234567", "sandbox-otp",
     "۱۲۳۴", "x" * 3000, "\x00", "%s%n", "[[[", "{}", "2030-01-01 00:00:00"]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | SURROGATES
    | SPECIAL
)
ANY_JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | SURROGATES | SPECIAL, inner, max_size=4)
    ),
    max_leaves=8,
)
VALUES = st.one_of(ANY_JSON, ANY_JSON, ANY_JSON, st.integers(20, 1_500).map(Deep))


def encode(value: Any) -> str:
    if isinstance(value, Deep):
        return "[" * value.depth + "]" * value.depth
    if isinstance(value, dict):
        return "{" + ",".join(f"{encode(str(k))}:{encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return json.dumps(value)  # ASCII: lone surrogates travel as \\udXXX escapes


def places(body: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in `body` a value can be put: each existing key or index, and a new key."""
    found = [where]
    if isinstance(body, dict):
        found.append((*where, "extra"))
        for key, value in body.items():
            found.extend(places(value, (*where, key)))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            found.extend(places(value, (*where, index)))
    return found


def put(body: Any, where: tuple[Any, ...], value: Any, drop: bool) -> Any:
    if not where:
        return value
    copy = json.loads(json.dumps(body))
    node = copy
    for step in where[:-1]:
        node = node[step]
    if drop and isinstance(node, dict):
        node.pop(where[-1], None)
    else:
        node[where[-1]] = value
    return copy


@st.composite
def hostile_bodies(draw: st.DrawFn, targets: list[tuple[str, str]]) -> tuple[str, str, str]:
    method, path = draw(st.sampled_from(targets))
    body = draw(st.sampled_from(VALID_BODIES[(method, path)]))
    where = draw(st.sampled_from(places(body)))
    mutated = put(body, where, draw(VALUES), drop=draw(st.booleans()) and len(where) > 0)
    for name, value in PATH_VALUES.items():
        path = path.replace(name, value)
    return method, path, encode(mutated)


def body_targets(operations: list[Operation]) -> list[tuple[str, str]]:
    return [(op.method, op.path) for op in operations if op.body is not None]


@pytest.fixture
async def sandbox(aiohttp_client: AiohttpClient) -> tuple[Client, SandboxBackend]:
    backend = SandboxBackend(SandboxConfig(delivery_delay=0))
    client = await app_client(aiohttp_client, backend=backend)
    resp = await client.post(
        "/api/send",
        json={**SEND_VARIANTS[0], "send_time": "2999-01-01 10:00:00"},
        headers={"Authorization": API_KEY},
    )
    assert (await resp.json())["data"]["message_outbox_ids"] == [BULK]
    made = await make_one_of_each(client)
    assert made == {"phonebook": PHONEBOOK, "option": OPTION, "contact": CONTACT,
                    "draft_group": DRAFT_GROUP, "draft": DRAFT}  # fmt: skip
    return client, backend


async def make_one_of_each(client: Client) -> dict[str, Any]:
    """A phonebook with an option and a number, a draft group with a draft, and a pattern, so
    that paths and bodies naming them reach real state. Records each id and the pattern code."""
    headers = {"Authorization": API_KEY}

    async def call(method: str, path: str, body: dict[str, Any]) -> Any:
        resp = await client.request(method, path, json=body, headers=headers)
        assert resp.status in (200, 201), (path, await resp.text())
        return (await resp.json())["data"]

    option = await call("POST", "/api/phonebooks/options", {"type": "string", "title": "city"})
    book = await call("POST", "/api/phonebooks", {"title": "qa", "options": [option["id"]]})
    await call("POST", "/api/phonebooks/numbers/add-list-new",
               {"list": [{"number": "09121234567", "phonebook_id": book["id"]}]})  # fmt: skip
    await call("POST", "/api/user/draft/group", {"title": "g"})
    await call("POST", "/api/user/draft", {"draft_group_id": DRAFT_GROUP, "message": "m"})
    pattern = await call("POST", "/api/user/pattern", PATTERN)
    PATH_VALUES["{code}"] = PATH_VALUES["{pattern_code}"] = pattern["pattern_code"]
    contacts = await client.get("/api/phonebooks/numbers/contact-list", headers=headers)
    drafts = await client.get(f"/api/user/draft/list?draft_group_id={DRAFT_GROUP}", headers=headers)
    return {
        "phonebook": book["id"],
        "option": option["id"],
        "contact": (await contacts.json())["data"][0]["id"],
        "draft_group": DRAFT_GROUP,
        "draft": (await drafts.json())["data"][0]["draft_id"],
    }


async def assert_healthy(client: Client) -> None:
    for method, path in LISTINGS:
        resp = await client.request(method, path, headers={"Authorization": API_KEY})
        assert resp.status == 200, (method, path, await resp.text())


def calm(backend: SandboxBackend) -> None:
    """Undo what a successful example may switch on to change later answers on purpose."""
    backend.chaos.clear()
    backend.rate_limiter.configure(None)


def test_every_body_route_has_a_valid_body_to_start_from(
    sandbox: tuple[Client, SandboxBackend],
) -> None:
    client, _ = sandbox
    assert set(body_targets(client.app[OPERATIONS])) == set(VALID_BODIES)


async def test_any_json_in_any_field_is_a_2xx_or_4xx_and_the_sandbox_stays_healthy(
    sandbox: tuple[Client, SandboxBackend],
) -> None:
    client, backend = sandbox
    loop = asyncio.get_running_loop()
    targets = sorted(body_targets(client.app[OPERATIONS]))
    seen = {"bodies": 0}

    async def one(method: str, path: str, text: str) -> None:
        headers = {"Authorization": API_KEY, "Content-Type": "application/json"}
        resp = await client.request(method, path, data=text.encode(), headers=headers)
        assert resp.status < 500, (method, path, text[:300], await resp.text())
        if resp.status < 300:
            related = next((v for k, v in RELATED_LISTING.items() if path.startswith(k)), None)
            listing = await client.get(related or "/__sandbox/requests", headers=headers)
            assert listing.status == 200, (method, path, text[:300], await listing.text())
        calm(backend)

    @settings(
        max_examples=BODIES_PER_RUN // BATCH,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(examples=st.lists(hostile_bodies(targets), min_size=BATCH, max_size=BATCH))
    def run(examples: list[tuple[str, str, str]]) -> None:
        for example in examples:
            seen["bodies"] += 1
            asyncio.run_coroutine_threadsafe(one(*example), loop).result()

    await loop.run_in_executor(None, run)
    assert seen["bodies"] >= BODIES_PER_RUN
    await assert_healthy(client)


def query_targets(operations: list[Operation]) -> list[tuple[str, str, tuple[str, ...]]]:
    return [
        (op.method, op.path, tuple(p.name for p in op.query_params))
        for op in operations
        if op.query_params
    ]


@st.composite
def hostile_queries(
    draw: st.DrawFn, targets: list[tuple[str, str, tuple[str, ...]]]
) -> tuple[str, str]:
    method, path, names = draw(st.sampled_from(targets))
    pairs = []
    for name in names:
        if name == "timeout":
            pairs.append("timeout=0")  # the long-poll answers at once
            continue
        text = st.text(max_size=12).map(lambda t: t.encode("utf-8", "surrogatepass"))
        raw = draw(st.binary(max_size=12) | text)
        if draw(st.booleans()):
            pairs.append(f"{name}={quote_from_bytes(raw)}")
    for name, value in PATH_VALUES.items():
        path = path.replace(name, value)
    return method, f"{path}?{'&'.join(pairs)}"


async def test_any_bytes_in_any_query_parameter_is_a_2xx_or_4xx(
    sandbox: tuple[Client, SandboxBackend],
) -> None:
    client, _ = sandbox
    loop = asyncio.get_running_loop()
    targets = query_targets(client.app[OPERATIONS])

    async def one(method: str, target: str) -> None:
        resp = await client.request(
            method, URL(target, encoded=True), headers={"Authorization": API_KEY}
        )
        assert resp.status < 500, (method, target, await resp.text())

    @settings(
        max_examples=QUERIES_PER_RUN // BATCH,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(examples=st.lists(hostile_queries(targets), min_size=BATCH, max_size=BATCH))
    def run(examples: list[tuple[str, str]]) -> None:
        for example in examples:
            asyncio.run_coroutine_threadsafe(one(*example), loop).result()

    await loop.run_in_executor(None, run)
    await assert_healthy(client)


FORMS_PER_RUN = 400 * SCALE
CSV_PIECES = st.sampled_from(
    [b"recipient,message\n", b"09121234567,", b"hi", b'"', b"\r", b"\n", b"\r\n", b",", b"\x00",
     b"\xff", b"a" * 140_000, "سلام".encode(), b"+989121234567", b"0000"]
)  # fmt: skip
FORM_VALUES = st.sampled_from(["peer_to_peer_file", "+983000505", "2999-01-01 10:00:00", ""]) | (
    st.text(max_size=10)
)


FORM_TARGETS = (
    ("/api/send", "files[]", "peer_to_peer_file"),
    ("/api/send", "files[]", "file"),
    ("/api/send", "files[]", "keyword"),
    (f"/api/phonebooks/{PHONEBOOK}/import", "file", None),
)
"""Every multipart route: where, the file part's name, and the sending type."""


@st.composite
def hostile_forms(draw: st.DrawFn) -> tuple[str, str, dict[str, str], list[bytes]]:
    path, file_part, sending_type = draw(st.sampled_from(FORM_TARGETS))
    fields = {"sending_type": sending_type, "from_number": "+983000505"} if sending_type else {}
    names = [*fields, "send_time", "other_recipients[]", "extra"]
    for name in draw(st.lists(st.sampled_from(names), max_size=3)):
        fields[name] = draw(FORM_VALUES)
    files = draw(st.lists(st.lists(CSV_PIECES, max_size=8).map(b"".join), min_size=0, max_size=2))
    return path, file_part, fields, files


async def test_any_form_and_csv_file_to_every_multipart_route_is_a_2xx_or_4xx(
    sandbox: tuple[Client, SandboxBackend],
) -> None:
    client, _ = sandbox
    loop = asyncio.get_running_loop()

    async def one(path: str, file_part: str, fields: dict[str, str], files: list[bytes]) -> None:
        form = aiohttp.FormData(default_to_multipart=True)
        for name, value in fields.items():
            form.add_field(name, value)
        for index, content in enumerate(files):
            form.add_field(file_part, content, filename=f"{index}.csv", content_type="text/csv")
        resp = await client.post(path, data=form, headers={"Authorization": API_KEY})
        assert resp.status < 500, (path, fields, [f[:200] for f in files], await resp.text())

    @settings(
        max_examples=FORMS_PER_RUN // BATCH,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(examples=st.lists(hostile_forms(), min_size=BATCH, max_size=BATCH))
    def run(examples: list[tuple[str, str, dict[str, str], list[bytes]]]) -> None:
        for example in examples:
            asyncio.run_coroutine_threadsafe(one(*example), loop).result()

    await loop.run_in_executor(None, run)
    await assert_healthy(client)
