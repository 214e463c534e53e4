"""Bad input on every public endpoint: a clear 4xx IPPanel envelope naming the problem, never a
5xx, and the sandbox unchanged afterwards (outbox, captured messages, credit, sessions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient
from ippanel_mock import SandboxBackend, SandboxConfig
from ippanel_mock.http.envelope import MSG_BAD_CONTENT_TYPE, MSG_BAD_JSON, MSG_TOO_LARGE
from ippanel_mock.http.send import MAX_FILE_ROWS, MSG_BAD_MULTIPART
from sandbox_support import API_KEY, PASSWORD, app_client

BODY_CAP = 4096
Client = TestClient[web.Request, web.Application]

# path, a body of the right shape with one field of the wrong type, that field
JSON_ENDPOINTS: list[tuple[str, dict[str, Any], str]] = [
    ("/api/acl/auth/login", {"username": 5, "password": "x"}, "username"),
    ("/api/acl/auth/send_sms_otp", {"token": ["t"]}, "token"),
    ("/api/acl/auth/confirm_otp", {"token": "t", "otp": {"code": 1}}, "otp"),
    ("/api/acl/auth/forgot_password", {"username": "sandbox", "mobile": 9121234567}, "mobile"),
    (
        "/api/acl/auth/change_password_by_token",
        {"token": "t", "otp": "1", "password": None},
        "password",
    ),
    (
        "/api/send",
        {
            "sending_type": "webservice",
            "from_number": "+983000505",
            "message": 42,
            "params": {"recipients": ["09121234567"]},
        },
        "message",
    ),
    ("/api/send/calculate-price", {"message": ["hi"]}, "message"),
    ("/api/send/cancel", {"message_outbox_id": [1]}, "message_outbox_id"),
    ("/api/report/new_list", {"page": "one"}, "page"),
]
BY_BULK_POST = "/api/report/by_bulk/1100000001"
OPTIONAL_BODY = {"/api/report/new_list", BY_BULK_POST}
ALL_JSON_PATHS = [path for path, _, _ in JSON_ENDPOINTS] + [BY_BULK_POST]


@pytest.fixture
async def sandbox(
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> tuple[Client, SandboxBackend]:
    backend = SandboxBackend(SandboxConfig(delivery_delay=10.0, max_body_bytes=BODY_CAP))
    return await app_client(aiohttp_client, backend=backend), backend


def snapshot(backend: SandboxBackend) -> dict[str, Any]:
    return {
        "bulks": backend.outbox.count(),
        "messages": len(backend.messages),
        "credit": {u.username: u.credit for u in backend.users.all()},
        "password_ok": backend.users.login("sandbox", PASSWORD) is not None,
    }


async def post(client: Client, path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": API_KEY, **kwargs.pop("headers", {})}
    resp = await client.post(path, headers=headers, **kwargs)
    assert resp.content_type == "application/json"
    return resp.status, await resp.json()


async def check(
    sandbox: tuple[Client, SandboxBackend],
    path: str,
    expected: tuple[int, str],
    message: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    client, backend = sandbox
    before = snapshot(backend)
    status, body = await post(client, path, **kwargs)
    assert (status, body["meta"]["message_code"]) == expected, body
    assert body["data"] is None
    assert body["meta"]["status"] is False
    assert body["meta"]["message_parameters"] == []
    assert isinstance(body["meta"]["errors"], dict)
    if message is not None:
        assert body["meta"]["message"] == message
    assert snapshot(backend) == before
    return body


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("path", ALL_JSON_PATHS)
@pytest.mark.parametrize(
    ("raw", "expected", "message"),
    [
        (b'{"username": ', (400, "400-3"), MSG_BAD_JSON),
        (b'{"username": "\xff\xfe"}', (400, "400-3"), MSG_BAD_JSON),
        (b"[" * 100_000, (413, "413-1"), MSG_TOO_LARGE),
        (b"{}" + b" " * BODY_CAP, (413, "413-1"), MSG_TOO_LARGE),
    ],
    ids=["malformed", "invalid-utf8", "over-cap-nested", "over-cap"],
)
async def test_unreadable_json_body(
    sandbox: Any, path: str, raw: bytes, expected: tuple[int, str], message: str
) -> None:
    await check(sandbox, path, expected, message, data=raw, headers=JSON)


@pytest.mark.parametrize("path", ALL_JSON_PATHS)
@pytest.mark.parametrize("raw", [b"[1, 2]", b'"text"', b"null", b"42", b"true"])
async def test_non_object_json_body_is_422_naming_the_body(
    sandbox: Any, path: str, raw: bytes
) -> None:
    body = await check(sandbox, path, (422, "400-2"), data=raw, headers=JSON)
    assert list(body["meta"]["errors"]) == ["body"]
    assert "JSON" in body["meta"]["message"]


@pytest.mark.parametrize("path", ALL_JSON_PATHS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "image/png"])
async def test_wrong_content_type_is_415(sandbox: Any, path: str, content_type: str) -> None:
    await check(
        sandbox,
        path,
        (415, "415-1"),
        MSG_BAD_CONTENT_TYPE,
        data=b'{"message": "hi"}',
        headers={"Content-Type": content_type},
    )


@pytest.mark.parametrize("path", [p for p in ALL_JSON_PATHS if p not in OPTIONAL_BODY])
async def test_empty_body_is_400_bad_json(sandbox: Any, path: str) -> None:
    await check(sandbox, path, (400, "400-3"), MSG_BAD_JSON, data=b"", headers=JSON)


@pytest.mark.parametrize(("path", "body", "field"), JSON_ENDPOINTS)
async def test_wrong_type_names_the_field(
    sandbox: Any, path: str, body: dict[str, Any], field: str
) -> None:
    reply = await check(sandbox, path, (422, "400-2"), json=body)
    assert field in reply["meta"]["errors"], reply["meta"]["errors"]
    assert reply["meta"]["message"] == reply["meta"]["errors"][field][0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"page": 226.5}, "page"),
        ({"limit": "10"}, "limit"),
        ({"page": 0}, "page"),
    ],
)
async def test_new_list_paging_and_filters_are_checked(
    sandbox: Any, body: dict[str, Any], field: str
) -> None:
    reply = await check(sandbox, "/api/report/new_list", (422, "400-2"), json=body)
    assert field in reply["meta"]["errors"], reply["meta"]["errors"]


@pytest.mark.parametrize("state", ["¹", "99", "x"])
async def test_new_list_bad_state_filter_is_the_spec_invalid_state(
    sandbox: Any, state: str
) -> None:
    body = {"filters": {"state_id": state}}
    await check(sandbox, "/api/report/new_list", (422, "400-31"), "invalid state", json=body)


async def test_new_list_accepts_integral_floats(sandbox: Any) -> None:
    """Regression: 226.0 passes JSON Schema's integer check and used to crash as a slice index."""
    client, _ = sandbox
    status, body = await post(client, "/api/report/new_list", json={"page": 2.0, "limit": 226.0})
    assert status == 200, body
    assert (body["meta"]["current_page"], body["meta"]["per_page"]) == (2, 226)


@pytest.mark.parametrize("value", ["¹", "²3", "١٢", "1.0", "-1", "1e3", "9" * 40, " 1"])
@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/report/by_bulk", "messages_outbox_id"),
        ("/api/report/bulk_stats", "bulk_id"),
        ("/api/report/recipients", "bulk_id"),
    ],
)
async def test_non_ascii_or_odd_ids_are_422_naming_the_parameter(
    sandbox: Any, path: str, param: str, value: str
) -> None:
    """Regression: str.isdigit() accepted "¹" and int() then raised (500)."""
    client, backend = sandbox
    before = snapshot(backend)
    resp = await client.get(path, params={param: value}, headers={"Authorization": API_KEY})
    body = await resp.json()
    assert (resp.status, body["meta"]["message_code"]) == (422, "400-2"), body
    assert list(body["meta"]["errors"]) == [param]
    assert snapshot(backend) == before


@pytest.mark.parametrize("value", ["¹", "0", "-5", "1001", "abc"])
async def test_recipients_paging_parameters_are_checked(sandbox: Any, value: str) -> None:
    client, _ = sandbox
    resp = await client.get(
        "/api/report/recipients",
        params={"bulk_id": "1100000001", "per_page": value},
        headers={"Authorization": API_KEY},
    )
    body = await resp.json()
    assert (resp.status, list(body["meta"]["errors"])) == (422, ["per_page"]), body


@pytest.mark.parametrize("raw_id", ["¹", "%C2%B9", "1.5", "9" * 40])
async def test_by_bulk_post_with_an_odd_path_id_is_404(sandbox: Any, raw_id: str) -> None:
    """Regression: "¹" in the path passed isdigit() and crashed int() (500)."""
    await check(sandbox, f"/api/report/by_bulk/{raw_id}", (404, "404-1"), json={})


# -- peer_to_peer_file -------------------------------------------------------------------


def csv_form(content: bytes | None, **fields: str) -> FormData:
    form = FormData(default_to_multipart=True)
    form.add_field("sending_type", fields.pop("sending_type", "peer_to_peer_file"))
    form.add_field("from_number", fields.pop("from_number", "+983000505"))
    for name, value in fields.items():
        form.add_field(name, value)
    if content is not None:
        form.add_field("files", content, filename="list.csv", content_type="text/csv")
    return form


HEADER = b"recipient,message\n"
TOO_MANY_ROWS = HEADER + b"09121234567,x\n" * (MAX_FILE_ROWS + 1)


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        (b"09121234567,hi\n", "files.0", "recipient,message"),
        (b"", "files.0", "recipient,message"),
        (HEADER, "files.0", "سطری"),
        (HEADER + b"12345,hi\n", "files.0.2", "12345"),
        (HEADER + b"09121234567\n", "files.0.2", "گیرنده"),
        (HEADER + b"09121234567,\n", "files.0.2", "پیام"),
        (HEADER + "09121234567,سلام\n".encode("cp1256"), "files.0", "UTF-8"),
        (TOO_MANY_ROWS, "files.0", str(MAX_FILE_ROWS)),
        (None, "files", "فایل"),
        (HEADER + b"09121234567," + b"a" * 140_000 + b"\n", "files.0.2", "CSV"),
        (HEADER + b'09121234567,"hello\n', "files.0.2", "CSV"),
        (HEADER + b'09121234567,"a"b\n', "files.0.2", "CSV"),
        (b"recipient,message\r09121234567,hi\r", "files.0.1", "CSV"),
        (HEADER + b'09121234567,"a\nb"\n12345,hi\n', "files.0.4", "12345"),
    ],
    ids=[
        "no-header",
        "empty",
        "header-only",
        "bad-number",
        "missing-message",
        "empty-message",
        "not-utf8",
        "over-row-cap",
        "no-file",
        "field-over-131072-bytes",
        "unterminated-quote",
        "text-after-closing-quote",
        "cr-only-line-ends",
        "line-after-a-quoted-newline",
    ],
)
async def test_bad_csv_is_422_naming_file_and_line(
    aiohttp_client: Any, content: bytes | None, field: str, words: str
) -> None:
    backend = SandboxBackend(SandboxConfig(delivery_delay=10.0, max_body_bytes=4_000_000))
    client = await app_client(aiohttp_client, backend=backend)
    before = snapshot(backend)
    status, body = await post(client, "/api/send", data=csv_form(content))
    assert (status, body["meta"]["message_code"]) == (422, "400-2"), body
    assert field in body["meta"]["errors"], body["meta"]["errors"]
    assert words in " ".join(body["meta"]["errors"][field])
    assert snapshot(backend) == before


async def test_csv_over_the_body_cap_is_413(sandbox: Any) -> None:
    content = HEADER + b"09121234567,hello\n" * (BODY_CAP // 10)
    await check(sandbox, "/api/send", (413, "413-1"), data=csv_form(content))


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=zz"],
)
async def test_multipart_without_a_usable_boundary_is_400(sandbox: Any, content_type: str) -> None:
    """Regression: a multipart body without a boundary raised ValueError (500)."""
    await check(
        sandbox,
        "/api/send",
        (400, "400-3"),
        MSG_BAD_MULTIPART,
        data=b"--xx\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--xx--\r\n",
        headers={"Content-Type": content_type},
    )


async def test_multipart_with_a_control_character_in_a_part_header_is_400(sandbox: Any) -> None:
    """Found by the fuzz run: aiohttp's InvalidHeader inside a part used to surface as a 500."""
    raw = b'--b\r\nContent-Disposition: form-data; name="a\x0e"\r\n\r\n1\r\n--b--\r\n'
    headers = {"Content-Type": "multipart/form-data; boundary=b"}
    await check(sandbox, "/api/send", (400, "400-3"), MSG_BAD_MULTIPART, data=raw, headers=headers)


async def test_unknown_form_field_is_422_naming_it(sandbox: Any) -> None:
    form = csv_form(HEADER + b"09121234567,hi\n", surprise="1")
    body = await check(sandbox, "/api/send", (422, "400-2"), data=form)
    assert "surprise" in body["meta"]["errors"]


async def test_form_urlencoded_send_is_415(sandbox: Any) -> None:
    await check(
        sandbox,
        "/api/send",
        (415, "415-1"),
        MSG_BAD_CONTENT_TYPE,
        data={"sending_type": "webservice"},
    )


async def test_new_list_reads_an_integral_json_number_as_a_state(
    sandbox: tuple[Client, SandboxBackend],
) -> None:
    """JSON Schema counts 6.0 as an integer; the route must read it as state 6, not 400-31."""
    client, _ = sandbox
    for state_id in (6.0, "6", 6):
        resp = await client.post(
            "/api/report/new_list",
            json={"filters": {"state_id": state_id}},
            headers={"Authorization": API_KEY},
        )
        assert resp.status == 200, await resp.text()
