"""`file` and `keyword` sends: multipart forms whose CSV files hold the recipients (and, for
keyword, the cells that fill the text), through the real in-process sandbox."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import FormData
from openpyxl import Workbook
from sandbox_support import SENDER

if TYPE_CHECKING:
    from sandbox_api import Api


def form(sending_type: str, *files: str | bytes, **fields: str | list[str]) -> FormData:
    data = FormData(default_to_multipart=True)
    data.add_field("sending_type", sending_type)
    data.add_field("from_number", SENDER)
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            data.add_field(name, item)
    for i, content in enumerate(files):
        raw = content.encode() if isinstance(content, str) else content
        data.add_field("files[]", raw, filename=f"f{i}.csv", content_type="text/csv")
    return data


async def post(api: Api, data: FormData) -> tuple[int, dict[str, Any]]:
    return await api.call("send", "POST", "/api/send", data=data)


def captured(api: Api) -> list[tuple[str, str]]:
    page = api.backend.messages.query(per_page=1000)
    return sorted((m.recipient, m.text) for m in page.items)


async def test_a_file_send_reaches_every_number_of_the_files_and_the_others(api: Api) -> None:
    files = ("number\n09121234567\n+989351234567\n", "9121110000,ignored column\n")
    status, body = await post(
        api,
        form(
            "file",
            *files,
            message="اطلاعیه",
            **{"other_recipients[]": ["09120000005", "09350000007"]},
        ),
    )
    assert status == 200, body
    [bulk] = body["data"]["message_outbox_ids"]
    assert captured(api) == sorted(
        (n, "اطلاعیه")
        for n in (
            "+989121234567",
            "+989351234567",
            "+989121110000",
            "+989120000005",
            "+989350000007",
        )
    )
    _, report = await api.bulk(bulk, expect=200)
    assert (report["data"]["type"], report["data"]["rcpts_count"]) == ("file", "5")


async def test_a_keyword_send_fills_each_rows_text_from_its_columns(api: Api) -> None:
    table = "mobile,name,code\n09121234567,Ali,4821\n09351234567,Sara,1177\n09120000005,Ali,4821\n"
    status, body = await post(
        api,
        form("keyword", table, message="سلام {ex_B} کد {ex_C}", send_time="2099-01-01 10:00:00"),
    )
    assert status == 200, body
    assert len(body["data"]["message_outbox_ids"]) == 2  # one bulk per distinct text
    assert captured(api) == [
        ("+989120000005", "سلام Ali کد 4821"),
        ("+989121234567", "سلام Ali کد 4821"),
        ("+989351234567", "سلام Sara کد 1177"),
    ]
    bulks = [api.backend.outbox.get_any(i) for i in body["data"]["message_outbox_ids"]]
    assert {b.sending_type for b in bulks if b} == {"keyword"}
    _, report = await api.bulk(body["data"]["message_outbox_ids"][0], expect=200)
    assert report["data"]["state_id"] == 5  # scheduled


@pytest.mark.parametrize(
    ("sending_type", "files", "fields", "named"),
    [
        ("file", ["09121234567\n0912\n"], {"message": "x"}, "files.0.2"),
        ("file", ["09121234567\n"], {"message": "x", "other_recipients[]": ["12"]},
         "other_recipients.0"),
        ("file", [], {"message": "x"}, "files"),
        ("file", ["09121234567\n"], {}, "message"),
        ("file", [b"PK\x03\x04 not really a workbook"], {"message": "x"}, "files.0"),
        ("file", ["name\n"], {"message": "x"}, "files.0"),
        ("keyword", ["09121234567,Ali\n"], {"message": "{ex_B} {ex_C}"}, "files.0.1"),
        ("keyword", ["09121234567\n"], {"message": "x", "cc": "y"}, "cc"),
        ("keyword", ['09121234567,"open\n'], {"message": "x"}, "files.0.1"),
    ],
)  # fmt: skip
async def test_bad_forms_and_files_are_a_persian_422_and_send_nothing(
    api: Api, sending_type: str, files: list[str | bytes], fields: dict[str, Any], named: str
) -> None:
    status, body = await post(api, form(sending_type, *files, **fields))
    assert (status, body["meta"]["message_code"]) == (422, "400-2"), body
    assert named in body["meta"]["errors"], body["meta"]["errors"]
    assert api.backend.outbox.count() == 0
    assert api.backend.messages.latest() is None


async def test_the_documented_422_for_a_missing_message(api: Api) -> None:
    for sending_type in ("file", "keyword"):
        status, body = await post(api, form(sending_type, "09121234567\n"))
        assert status == 422
        assert body["meta"]["errors"] == {"message": ["تکمیل گزینه پیام الزامی است"]}


async def test_as_json_they_ask_for_the_file(api: Api) -> None:
    status, body = await api.send({"sending_type": "keyword", "from_number": SENDER,
                                   "message": "x"})  # fmt: skip
    assert status == 422
    assert "files" in body["meta"]["errors"]


def workbook(*rows: tuple[object, ...]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_a_keyword_send_reads_an_xlsx_table_too(api: Api) -> None:
    """As in the documentation's example (file.xlsx); a number typed into a cell has lost its
    leading 0 and still counts, a code typed as a number is not shown as 4821.0."""
    table = workbook(("mobile", "name", "code"), (9121234567, "Ali", 4821.0),
                     ("09351234567", "Sara", "1177"))  # fmt: skip
    status, body = await post(api, form("keyword", table, message="سلام {ex_B} کد {ex_C}"))
    assert status == 200, body
    assert captured(api) == [("+989121234567", "سلام Ali کد 4821"),
                             ("+989351234567", "سلام Sara کد 1177")]  # fmt: skip


async def test_an_xlsx_that_would_unpack_too_large_is_refused_unread(api: Api) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"0" * (40 * 2**20))
    assert len(packed.getvalue()) < 200_000
    status, body = await post(api, form("file", packed.getvalue(), message="x"))
    assert status == 422
    assert body["meta"]["errors"] == {"files.0": ["فایل XLSX نباید بیش از 32 مگابایت باز شود"]}
    assert api.backend.outbox.count() == 0
