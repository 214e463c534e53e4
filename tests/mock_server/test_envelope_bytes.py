"""Success envelopes are assembled from an encoded meta kept once: the bytes must be exactly
those of encoding the whole envelope, for every kind of data the routes answer with."""

from __future__ import annotations

import pytest
from ippanel_mock.http.envelope import MSG_OK, created, dump_bytes, error, meta, ok

DATA = [
    None,
    {"message_outbox_ids": [1_100_000_001, 1_100_000_002]},
    [{"name": "سلام", "n": 1.5, "ok": True}],
    {"lone surrogate": "a\ud800b"},  # orjson refuses it; json writes U+FFFD
    {"huge": 2**70},  # beyond 64 bits: orjson refuses it too
    {1: "integer key"},
    "",
]


@pytest.mark.parametrize("data", DATA)
def test_success_bytes_equal_the_whole_envelope_encoded(data: object) -> None:
    assert ok(data).body == dump_bytes({"data": data, "meta": meta(MSG_OK, "200-1")})
    assert created(data).body == dump_bytes({"data": data, "meta": meta(MSG_OK, "201-1")})
    custom = ok(data, message="ثبت شد")
    assert custom.body == dump_bytes({"data": data, "meta": meta("ثبت شد", "200-1")})


def test_responses_are_utf8_json_with_their_status() -> None:
    for response, status in ((ok(1), 200), (created(1), 201), (error(422, "400-2", "x"), 422)):
        assert response.status == status
        assert response.content_type == "application/json"
        assert response.charset == "utf-8"
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"


def test_extra_headers_come_first_and_keep_their_values() -> None:
    response = error(405, "405-1", "no", headers={"Allow": "GET,HEAD"})
    assert list(response.headers.items()) == [
        ("Allow", "GET,HEAD"),
        ("Content-Type", "application/json; charset=utf-8"),
    ]
