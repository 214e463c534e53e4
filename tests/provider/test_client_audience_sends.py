"""Country, geolocation, job, file and keyword sends through both clients: what the sandbox
captured, the checks made before any request, and never sending twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from client_support import SANDBOX_API_KEY, SENDER, SandboxAdmin
from ippanel_provider.client import (
    AsyncIPPanelClient,
    CountryTarget,
    GeoTarget,
    InvalidRecipientsError,
    IPPanelClient,
    IPPanelSendOutcomeUnknown,
    IPPanelValidationError,
    JobTarget,
    OperatorRange,
    OperatorWindow,
)

Call = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, client_sandbox: SandboxAdmin) -> Call:
    """``api("method", ...)``: one call through the blocking or the asyncio client."""

    def call(name: str, *args: Any, **kwargs: Any) -> Any:
        if request.param == "sync":
            with IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client:
                return getattr(client, name)(*args, **kwargs)

        async def run() -> Any:
            async with AsyncIPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client:
                return await getattr(client, name)(*args, **kwargs)

        return asyncio.run(run())

    return call


def operators_of(messages: list[dict[str, Any]]) -> Counter[str]:
    prefixes = {"91": "mci", "93": "irancell"}
    return Counter(prefixes.get(m["recipient"][3:5], "other") for m in messages)


def test_country_send_reaches_the_window_counted_and_the_extra_numbers(
    api: Call, client_sandbox: SandboxAdmin
) -> None:
    counts = api("country_counts", 89, county_id=212, gender=2, number_prefix="912")
    target = CountryTarget(89, 912, mci=OperatorRange(0, 7), county_id=212, gender=2)
    result = api(
        "send_country", "سلام تهران", [target], other_recipients=["۰۹۳۵۱۲۳۴۵۶۷"], sender="+98BANK"
    )
    [bulk] = result.message_outbox_ids
    sent = client_sandbox.messages(bulk_id=bulk)
    assert len(sent) == min(7, counts.mci) + 1
    assert "+989351234567" in {m["recipient"] for m in sent}
    assert {m["sending_type"] for m in sent} == {"country"}
    assert {m["text"] for m in sent} == {"سلام تهران"}


def test_geolocation_send_takes_each_operators_window(
    api: Call, client_sandbox: SandboxAdmin
) -> None:
    target = GeoTarget(
        province_id=89,
        operators=[OperatorWindow("mci", 0, 4), OperatorWindow(2, start=10, size=3)],
    )
    [bulk] = api("send_geolocation", "hello", [target], sender="+98BANK").message_outbox_ids
    sent = client_sandbox.messages(bulk_id=bulk)
    assert operators_of(sent) == Counter({"mci": 4, "irancell": 3})
    assert {m["sending_type"] for m in sent} == {"geolocation"}


def test_job_send_reaches_the_count_of_its_category(
    api: Call, client_sandbox: SandboxAdmin
) -> None:
    counts = api("job_counts", 1, sub_category_id=1, operator="irancell", start=0, size=6)
    target = {"main_category_id": 1, "sub_category_id": 1, "operator": [{"id": 2, "size": 6}]}
    [bulk] = api("send_job", "jobs", [target], sender="+98PRO").message_outbox_ids
    assert len(client_sandbox.messages(bulk_id=bulk)) == counts.irancell == 6


def test_file_send_from_numbers_a_csv_and_an_xlsx(
    api: Call, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    listed = api("send_file", ["09121230001", "+98 935 123 0002"], "from a list", sender=SENDER)
    assert listed.recipients == 2
    csv_file = tmp_path / "numbers.csv"
    csv_file.write_text("mobile\n۰۹۱۲۱۲۳۰۰۰۳\n9121230004\n", encoding="utf-8")
    from_csv = api(
        "send_file", csv_file, "from a csv", other_recipients=["09191230005"], sender=SENDER
    )
    workbook = openpyxl.Workbook()
    workbook.active.append(["09121230006"])  # type: ignore[union-attr]
    workbook.active.append([9121230007])  # type: ignore[union-attr]
    xlsx_file = tmp_path / "numbers.xlsx"
    workbook.save(xlsx_file)
    from_xlsx = api("send_file", str(xlsx_file), "from an xlsx", sender=SENDER)
    by_text: dict[str, set[str]] = {}
    for message in client_sandbox.messages(sending_type="file"):
        by_text.setdefault(message["text"], set()).add(message["recipient"])
    assert by_text == {
        "from a list": {"+989121230001", "+989351230002"},
        "from a csv": {"+989121230003", "+989121230004", "+989191230005"},
        "from an xlsx": {"+989121230006", "+989121230007"},
    }
    assert (from_csv.recipients, from_xlsx.recipients) == (3, 0)  # the xlsx is IPPanel's to read


def test_keyword_send_fills_each_rows_cells(
    api: Call, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    rows = [["09121230001", "Ali", "12"], ["09351230002", "Sara", "34"]]
    result = api("send_keyword", rows, "Hi {ex_B}, code {ex_C}", sender=SENDER)
    assert result.recipients == 2
    csv_file = tmp_path / "keywords.csv"
    csv_file.write_text("number,name\n09191230003,Reza\n", encoding="utf-8")
    api("send_keyword", csv_file, "Dear {ex_B}", sender=SENDER)
    sent = {m["recipient"]: m["text"] for m in client_sandbox.messages(sending_type="keyword")}
    assert sent == {
        "+989121230001": "Hi Ali, code 12",
        "+989351230002": "Hi Sara, code 34",
        "+989191230003": "Dear Reza",
    }


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "error", "words"),
    [
        ("send_country", ("m", []), {}, ValueError, "1 to 30 targets, got 0"),
        ("send_job", ("m", [{"main_category_id": 1}] * 31), {}, ValueError, "got 31"),
        ("send_country", ("m", [CountryTarget(89, 912), {"province_id": 89}]), {}, ValueError,
         "country target 2 has no pre"),
        ("send_job", ("m", [JobTarget(1), "2"]), {}, TypeError, "job target 2 must be"),
        ("send_geolocation", ("m", [GeoTarget()]), {"other_recipients": ["09121234567", "x"]},
         InvalidRecipientsError, "in other_recipients"),
        ("send_geolocation", ("", [GeoTarget()]), {}, ValueError, "message must be"),
        ("send_file", (["09121234567", "0912"], "m"), {}, InvalidRecipientsError, "#2: '0912'"),
        ("send_file", ("numbers.txt", "m"), {}, ValueError, "send a .csv or .xlsx file"),
        ("send_file", ("missing.xlsx", "m"), {}, FileNotFoundError, "missing.xlsx"),
        ("send_keyword", ([["09121234567", "a"], ["09121234568"]], "{ex_B}"), {}, ValueError,
         "keyword rows [2] have no column B"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_anything_is_sent(
    api: Call,
    client_sandbox: SandboxAdmin,
    name: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    with pytest.raises(error) as info:
        api(name, *args, sender="+98BANK", **kwargs)
    assert words in str(info.value)
    assert [r for r in client_sandbox.requests() if r["path"] == "/api/send"] == []


def test_what_ippanel_refuses_is_a_validation_error_and_nothing_is_sent(
    api: Call, client_sandbox: SandboxAdmin
) -> None:
    with pytest.raises(IPPanelValidationError) as info:
        api("send_country", "m", [{"province_id": 1, "pre": 912}], sender="+98BANK")
    assert any("province_id" in field for field in info.value.errors)
    assert client_sandbox.messages() == []


@pytest.mark.parametrize(("name", "reached"), [("send_job", 2), ("send_file", 1)])
def test_a_lost_answer_is_never_sent_again(
    api: Call, client_sandbox: SandboxAdmin, name: str, reached: int
) -> None:
    client_sandbox.chaos(route="POST /api/send", first_n=1, fault="reset_after")
    args: tuple[Any, ...] = ("m", [JobTarget(1, operators=[OperatorWindow(1, 0, 2)])])
    if name == "send_file":
        args = (["09121234567"], "m")
    with pytest.raises(IPPanelSendOutcomeUnknown, match="check the outbox report"):
        api(name, *args, sender="+98PRO" if name == "send_job" else SENDER)
    assert len([r for r in client_sandbox.requests() if r["path"] == "/api/send"]) == 1
    assert len(client_sandbox.messages()) == reached  # it went out, once
