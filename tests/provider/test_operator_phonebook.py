"""Phonebook operators against the in-process sandbox: the sync makes the sandbox's phonebook
equal the source (and a second run writes nothing, by the request journal); the sends text the
phonebook's numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pendulum
import pytest
import requests
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException
from airflow_support import SANDBOX_KEY, captured, task_context
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import IPPanelClient
from ippanel_provider.client.phonebook_sync import read_phonebook_rows
from ippanel_provider.operators.phonebook import (
    IPPanelKeywordPhonebookSendOperator,
    IPPanelPhonebookSendOperator,
    IPPanelPhonebookSyncOperator,
    coerce_ids,
)

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)

SOURCE = (
    "number,name,email,segment\n"
    "0912 123 4567,Ali,ali@example.com,gold\n"
    "۰۹۳۵۱۲۳۴۵۶۷,Sara,,silver\n"
    "+98 919 123 4567,Reza,,gold\n"
    "09121234567,Ali again,,gold\n"  # the same person as line 2: left out
)


def admin(sandbox: ThreadedSandbox, path: str, **params: Any) -> Any:
    response = requests.get(f"{sandbox.url}/__sandbox{path}", params=params, timeout=10)
    response.raise_for_status()
    return response


def phonebooks(sandbox: ThreadedSandbox) -> list[dict[str, Any]]:
    return list(admin(sandbox, "/phonebooks", user="sandbox").json()["items"])


def held(sandbox: ThreadedSandbox, phonebook_id: int) -> list[dict[str, str]]:
    """The phonebook as the sandbox holds it, by number."""
    text = admin(sandbox, f"/phonebooks/{phonebook_id}/export").text
    return sorted(csv.DictReader(io.StringIO(text)), key=lambda row: row["number"])


def writes(sandbox: ThreadedSandbox) -> list[str]:
    items = admin(sandbox, "/requests", per_page=1000).json()["items"]
    return [f"{r['method']} {r['path']}" for r in reversed(items) if r["method"] != "GET"]


def source_file(tmp_path: Path, text: str = SOURCE) -> Path:
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    return path


def sync(**kwargs: Any) -> dict[str, Any]:
    op = IPPanelPhonebookSyncOperator(task_id="sync", **kwargs)
    result: dict[str, Any] = op.execute(task_context())
    return result


def test_reading_normalizes_deduplicates_and_names_bad_rows(tmp_path: Path) -> None:
    text = SOURCE + "12345,Bad,,x\n09121110000,Mail,not-an-email,x\n,,,\n09120001111,Short\n"
    rows = read_phonebook_rows(source_file(tmp_path, text))
    assert [r.number for r in rows.rows] == ["+989121234567", "+989351234567", "+989191234567"]
    assert rows.rows[0].fields == {"name": "Ali", "email": "ali@example.com"}
    assert rows.duplicates == [5]
    assert [(b.row, b.problem) for b in rows.bad] == [
        (6, "'12345' is not an Iranian mobile number"),
        (7, "'not-an-email' is not an e-mail address"),
        (9, "it does not have one cell per column"),
    ]
    assert rows.ignored_columns == ("segment",)
    listed = read_phonebook_rows([9121234567, {"Number": "09351234567", "pre": "Ms."}, "x"])
    assert [(r.row, r.number, dict(r.fields)) for r in listed.rows] == [
        (1, "+989121234567", {}),
        (2, "+989351234567", {"pre": "Ms."}),
    ]
    assert listed.describe_bad() == "item 3: 'x' is not an Iranian mobile number"


def test_first_sync_creates_the_phonebook_and_a_second_run_writes_nothing(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    path = source_file(tmp_path)
    first = sync(phonebook="customers", source=str(path))
    assert first == {
        "phonebook_id": first["phonebook_id"],
        "phonebook_title": "customers",
        "created": True,
        "added": 3,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "not_in_source": 0,
        "skipped_rows": 0,
        "duplicate_rows": 1,
    }
    state = held(sandbox, first["phonebook_id"])
    assert [(r["number"], r["name"], r["email"]) for r in state] == [
        ("+989121234567", "Ali", "ali@example.com"),
        ("+989191234567", "Reza", ""),
        ("+989351234567", "Sara", ""),
    ]
    before = writes(sandbox)
    second = sync(phonebook="customers", source=str(path))
    assert (second["created"], second["added"], second["updated"], second["unchanged"]) == (
        False,
        0,
        0,
        3,
    )
    assert writes(sandbox) == before  # only reads
    assert held(sandbox, first["phonebook_id"]) == state
    assert len(phonebooks(sandbox)) == 1


def test_changes_are_applied_and_removal_is_opt_in(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    book = sync(phonebook="customers", source=str(source_file(tmp_path)))["phonebook_id"]
    changed = "number,name\n09121234567,Ali Rezaei\n09351234567,Sara\n09120000009,New\n"
    path = source_file(tmp_path, changed)
    kept = sync(phonebook=str(book), source=str(path))
    assert (kept["added"], kept["updated"], kept["unchanged"]) == (1, 1, 1)
    assert (kept["removed"], kept["not_in_source"]) == (0, 1)
    assert "+989191234567" in {r["number"] for r in held(sandbox, book)}
    # the file has no email column: Ali's email is left as it was
    ali = next(r for r in held(sandbox, book) if r["number"] == "+989121234567")
    assert (ali["name"], ali["email"]) == ("Ali Rezaei", "ali@example.com")

    removed = sync(phonebook="customers", source=str(path), remove_missing=True)
    assert (removed["removed"], removed["not_in_source"], removed["unchanged"]) == (1, 0, 3)
    assert [r["number"] for r in held(sandbox, book)] == [
        "+989120000009",
        "+989121234567",
        "+989351234567",
    ]


def test_bad_rows_fail_before_any_write_or_are_skipped(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    path = source_file(tmp_path, SOURCE + "0912,Short,,x\n09121110000,x,@,y\n")
    with pytest.raises(AirflowFailException, match=r"2 bad row\(s\).*line 6: '0912'.*line 7"):
        sync(phonebook="customers", source=str(path))
    assert writes(sandbox) == []
    assert phonebooks(sandbox) == []
    skipped = sync(phonebook="customers", source=str(path), on_bad_row="skip")
    assert (skipped["added"], skipped["skipped_rows"]) == (3, 2)
    with pytest.raises(ValueError, match="on_bad_row"):
        IPPanelPhonebookSyncOperator(task_id="x", phonebook="p", source=[], on_bad_row="ignore")


def test_missing_or_ambiguous_phonebooks_fail_clearly(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    with pytest.raises(AirflowFailException, match="no phonebook titled 'vip'"):
        sync(phonebook="vip", source=["09121234567"], create_missing=False)
    with pytest.raises(AirflowFailException, match="no phonebook with id 999"):
        sync(phonebook=999, source=["09121234567"])
    assert writes(sandbox) == []
    with IPPanelClient(sandbox.url, api_key=SANDBOX_KEY) as client:
        client.create_phonebook("twins")
        client.create_phonebook("twins")
    with pytest.raises(AirflowFailException, match="2 phonebooks are titled 'twins'"):
        sync(phonebook="twins", source=["09121234567"])
    with pytest.raises(AirflowFailException, match="not found"):
        sync(phonebook="x", source=str(tmp_path / "absent.csv"))


def test_templated_source_from_an_upstream_list(sandbox: ThreadedSandbox) -> None:
    """Without native rendering an upstream list renders as its repr: it is read as the list."""
    with DAG("rows", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = IPPanelPhonebookSyncOperator(
            task_id="sync", phonebook="{{ params.book }}", source="{{ params.rows }}"
        )
    rows = [{"number": "09121234567", "name": "Ali"}, {"number": "09351234567", "name": "Sara"}]
    context: dict[str, Any] = {"dag": dag, "params": {"book": "from warehouse", "rows": rows}}
    op.render_template_fields(context)  # type: ignore[arg-type]
    result = op.execute(task_context())
    assert (result["phonebook_title"], result["added"]) == ("from warehouse", 2)
    assert [r["name"] for r in held(sandbox, result["phonebook_id"])] == ["Ali", "Sara"]


def test_phonebook_sends_text_the_synced_numbers(sandbox: ThreadedSandbox) -> None:
    with IPPanelClient(sandbox.url, api_key=SANDBOX_KEY) as client:
        debt = client.create_option("debt", "int")
        book = client.create_phonebook("debtors", option_ids=[debt.id])
        client.add_contacts(
            book.id,
            [
                {"number": "09121234567", "options": {debt.id: 10}},
                {"number": "09351234567", "options": {debt.id: 20}},
            ],
        )
    ids = IPPanelPhonebookSendOperator(
        task_id="send", message="Reminder", phonebook_ids=str(book.id)
    ).execute(task_context())
    sent = captured(sandbox, bulk_id=ids[0])
    assert sorted(m["recipient"] for m in sent) == ["+989121234567", "+989351234567"]
    assert {(m["text"], m["sender"]) for m in sent} == {("Reminder", "+983000505")}

    keyword_ids = IPPanelKeywordPhonebookSendOperator(
        task_id="kw", message=f"You owe {{ex_{debt.id}}}", phonebook_ids=[book.id]
    ).execute(task_context())
    texts = {m["recipient"]: m["text"] for i in keyword_ids for m in captured(sandbox, bulk_id=i)}
    assert texts == {"+989121234567": "You owe 10", "+989351234567": "You owe 20"}


def test_phonebook_send_rejects_bad_ids_without_sending(sandbox: ThreadedSandbox) -> None:
    op = IPPanelPhonebookSendOperator(task_id="send", message="m", phonebook_ids="12, x")
    with pytest.raises(AirflowFailException, match="positive ids"):
        op.execute(task_context())
    missing = IPPanelPhonebookSendOperator(task_id="send", message="m", phonebook_ids=424242)
    with pytest.raises(AirflowFailException, match="rejected"):
        missing.execute(task_context())
    assert captured(sandbox) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [(7, [7]), ("7, 8", [7, 8]), ("[7, '8']", [7, 8]), (["9"], [9]), ((1, 2), [1, 2])],
)
def test_coerce_ids(value: Any, expected: list[int]) -> None:
    assert coerce_ids(value, "phonebook_ids") == expected
