"""Bytes that are not UTF-8 in request lines and headers, sent on a raw socket (issue 9, item 5):
a 4xx, never a 500, and the journal (which records paths, queries and key hints) still lists."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from ippanel_mock import SandboxConfig
from ippanel_mock.server import ThreadedSandbox

ADMIN_TOKEN = "admin-t0ken"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(delivery_delay=0, admin_token=ADMIN_TOKEN)) as running:
        yield running


def raw_request(url: str, head: bytes) -> tuple[int, bytes]:
    """Send `head` (request line and headers, no body) as is; the status and the body."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(head + b"Host: sandbox\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    reply = b"".join(chunks)
    status = int(reply.split(b" ", 2)[1])
    return status, reply.partition(b"\r\n\r\n")[2]


def admin_get(sandbox: ThreadedSandbox, path: str) -> tuple[int, bytes]:
    return raw_request(
        sandbox.url, f"GET {path} HTTP/1.1\r\nX-Sandbox-Admin-Token: {ADMIN_TOKEN}\r\n".encode()
    )


HOSTILE = [
    b"GET /__sandbox/users HTTP/1.1\r\nX-Sandbox-Admin-Token: \xff\xfe\x80\r\n",
    b"GET /__sandbox/users HTTP/1.1\r\nX-Sandbox-Admin-Token: admin-t0ken\xc3\r\n",
    b"GET /api/payment/credit/mine HTTP/1.1\r\nAuthorization: \xff\xfe\xfdsandbox-api-key\r\n",
    b"GET /api/payment/credit/mine HTTP/1.1\r\nAuthorization: sand\xed\xa0\x80box-api-key\r\n",
    b"GET /api/report/recipients?bulk_id=%ff%fe HTTP/1.1\r\nAuthorization: sandbox-api-key\r\n",
    b"GET /api/report/recipients?bulk_id=\xff HTTP/1.1\r\nAuthorization: sandbox-api-key\r\n",
    b"GET /api/%ed%a0%80/x?a=%ed%a0%80 HTTP/1.1\r\nAuthorization: sandbox-api-key\r\n",
    b"GET /api/\xff\xfe HTTP/1.1\r\n",
    b"GET /__sandbox/otp/%ff%fe HTTP/1.1\r\nX-Sandbox-Admin-Token: admin-t0ken\r\n",
    b"GET /__sandbox/messages?sender=%ff&text=\xfe HTTP/1.1\r\n"
    b"X-Sandbox-Admin-Token: admin-t0ken\r\n",
]


@pytest.mark.parametrize("head", HOSTILE, ids=range(len(HOSTILE)))
def test_non_utf8_bytes_get_a_4xx_and_the_journal_still_lists(
    sandbox: ThreadedSandbox, head: bytes
) -> None:
    status, _ = raw_request(sandbox.url, head)
    assert 400 <= status < 500, status
    status, body = admin_get(sandbox, "/__sandbox/requests?per_page=1000")
    assert status == 200, body
    for entry in json.loads(body)["items"]:
        json.dumps(entry).encode("utf-8")  # every recorded string is valid Unicode
    assert admin_get(sandbox, "/__sandbox/messages")[0] == 200


def test_a_wrong_admin_token_in_latin1_is_401_not_a_crash(sandbox: ThreadedSandbox) -> None:
    status, body = raw_request(
        sandbox.url, b"POST /__sandbox/reset HTTP/1.1\r\nX-Sandbox-Admin-Token: caf\xe9\r\n"
    )
    assert status == 401
    assert b"X-Sandbox-Admin-Token" in body


def test_a_multipart_field_name_that_is_not_utf8_gets_the_422(sandbox: ThreadedSandbox) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\nx\r\n'
        b'--b\r\nContent-Disposition: form-data; name="files[]"; filename="a.csv"\r\n\r\n'
        b"recipient,message\n09121234567,hi\n\r\n--b--\r\n"
    )
    head = (
        b"POST /api/send HTTP/1.1\r\nAuthorization: sandbox-api-key\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\n"
        + f"Content-Length: {len(body)}\r\n".encode()
    )
    parts = urlsplit(sandbox.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as conn:
        conn.sendall(head + b"Host: sandbox\r\nConnection: close\r\n\r\n" + body)
        reply = b"".join(iter(lambda: conn.recv(65536), b""))
    assert reply.split(b" ", 2)[1] == b"422", reply
    envelope = json.loads(reply.partition(b"\r\n\r\n")[2])
    assert envelope["meta"]["message_code"] == "400-2"
    assert sandbox.call(lambda: sandbox.backend.outbox.count()) == 0
