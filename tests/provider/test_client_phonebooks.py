"""Phonebooks, their numbers and options, and sends to them, through the blocking client against
the sandbox: each call checked against what the sandbox then holds or captured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from client_support import SANDBOX_API_KEY, SENDER, RecordedSleeps, SandboxAdmin
from ippanel_provider.client import (
    InvalidRecipientsError,
    IPPanelClient,
    IPPanelNotFoundError,
    IPPanelResponseLostError,
    IPPanelServerError,
    IPPanelValidationError,
    NewContact,
    StoreCounts,
)


@pytest.fixture
def client(client_sandbox: SandboxAdmin, client_sleeps: RecordedSleeps) -> Iterator[IPPanelClient]:
    with IPPanelClient(
        client_sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER, sleep=client_sleeps
    ) as made:
        yield made


def numbers_in(admin: SandboxAdmin, phonebook_id: int) -> list[str]:
    return [row["number"] for row in admin.phonebook_rows(phonebook_id)]


def test_phonebook_lifecycle_with_options(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    debt = client.create_option("debt", "int")
    book = client.create_phonebook("customers", option_ids=[debt.id])
    assert (book.title, book.count, [o.id for o in book.options]) == ("customers", 0, [debt.id])
    [held] = client_sandbox.phonebooks()
    assert (held["id"], held["title"], held["options"]) == (book.id, "customers", [debt.id])

    client.update_phonebook(book.id, title="vip customers", option_ids=[])
    client.rename_option(debt.id, "balance")
    [listed] = client.list_phonebooks(title="vip").items
    assert (listed.title, listed.options) == ("vip customers", ())
    assert [o.title for o in client.iter_options()] == ["balance"]
    assert client.list_options(type="date").items == []

    client.delete_phonebooks([book.id])
    client.delete_options([debt.id])
    assert client_sandbox.phonebooks() == []
    assert list(client.iter_options()) == []


def test_numbers_are_normalized_stored_once_and_counted(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    book = client.create_phonebook("team")
    counts = client.add_contacts(
        book.id,
        [
            "0912 123 4567",
            {"number": "۰۹۳۵۱۲۳۴۵۶۷", "name": "Sara", "email": "sara@example.com"},
            NewContact("+989191234567", pre="Mr.", name="Reza"),
        ],
    )
    assert counts == StoreCounts(added=3)
    assert client.add_contacts(book.id, ["+989121234567"]) == StoreCounts(existences=1)
    assert numbers_in(client_sandbox, book.id) == [
        "+989121234567",
        "+989351234567",
        "+989191234567",
    ]

    sara = client.list_contacts(phonebook_id=book.id, number="09351234567").items[0]
    assert (sara.name, sara.email, sara.phonebook_title) == ("Sara", "sara@example.com", "team")
    assert client.get_contact(sara.id) == sara
    client.update_contact(sara.id, {"number": sara.number, "name": "Sara K."}, phonebook_id=book.id)
    assert client.get_contact(sara.id).name == "Sara K."
    assert client.get_contact(sara.id).email == ""  # a field left out is emptied, as documented

    client.delete_contacts([sara.id])
    assert numbers_in(client_sandbox, book.id) == ["+989121234567", "+989191234567"]
    with pytest.raises(IPPanelNotFoundError):
        client.get_contact(sara.id)


def test_bad_input_is_refused_before_any_request(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    with pytest.raises(InvalidRecipientsError, match="12345"):
        client.add_contacts(1, ["09121234567", "12345"])
    with pytest.raises(ValueError, match="positive id"):
        client.delete_contacts([0])
    with pytest.raises(ValueError, match="title"):
        client.create_phonebook("  ")
    with pytest.raises(ValueError, match="type is one of"):
        client.create_option("x", "float")
    with pytest.raises(ValueError, match="per_page"):
        client.list_contacts(per_page=5000)
    with pytest.raises(ValueError, match="unknown contact field"):
        client.add_contacts(1, [{"number": "09121234567", "age": 3}])
    with pytest.raises(ValueError, match="phonebook_ids or contact_ids"):
        client.send_phonebook("hi")
    assert client_sandbox.requests() == []


def test_another_accounts_phonebook_is_not_found_and_nothing_changes(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    with IPPanelClient(client_sandbox.url, api_key="sandbox-ga-api-key") as other:
        theirs = other.create_phonebook("theirs")
    with pytest.raises(IPPanelNotFoundError) as caught:
        client.add_contacts(theirs.id, ["09121234567"])
    assert caught.value.http_status == 404
    assert numbers_in(client_sandbox, theirs.id) == []


def test_paged_reads_walk_every_page(client: IPPanelClient, client_sandbox: SandboxAdmin) -> None:
    book = client.create_phonebook("many")
    wanted = [f"+98912000{n:04d}" for n in range(25)]
    client.add_contacts(book.id, wanted)
    assert [c.number for c in client.iter_contacts(phonebook_id=book.id, per_page=7)] == wanted
    pages = client_sandbox.requests(path="/api/phonebooks/numbers/contact-list")
    assert len(pages) == 4  # 7 + 7 + 7 + 4


def test_import_sends_bounded_files_and_skips_numbers_already_there(
    client: IPPanelClient, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    book = client.create_phonebook("imported")
    client.add_contacts(book.id, ["09120000001"])
    source = tmp_path / "people.csv"
    lines = ["number,name"] + [f"0912000{n:04d},person {n}" for n in range(1, 12)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = client.import_contacts(book.id, source, rows_per_file=4)
    assert (result.rows, result.requests) == (11, 3)
    imports = [r for r in client_sandbox.writes() if r["path"].endswith("/import")]
    assert len(imports) == 3
    rows = client_sandbox.phonebook_rows(book.id)
    assert len(rows) == 11
    assert rows[1] == {**rows[1], "number": "+989120000002", "name": "person 2"}
    # the same file again adds nothing
    client.import_contacts(book.id, source)
    assert len(client_sandbox.phonebook_rows(book.id)) == 11


def test_a_bad_file_names_its_line_and_earlier_files_stay_imported(
    client: IPPanelClient, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    book = client.create_phonebook("half")
    source = tmp_path / "people.csv"
    source.write_text("number\n09121111111\n09122222222\n09123333333\nnot-a-number\n")
    with pytest.raises(IPPanelValidationError) as caught:
        client.import_contacts(book.id, source, rows_per_file=2)
    assert "file 2 (rows 3 to 4) was refused; 1 earlier file(s) with 2 row(s)" in "".join(
        caught.value.__notes__
    )
    assert any(name.startswith("file.") for name in caught.value.errors)
    assert numbers_in(client_sandbox, book.id) == ["+989121111111", "+989122222222"]


def test_export_writes_the_book_page_by_page_in_the_import_format(
    client: IPPanelClient, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    book = client.create_phonebook("export me")
    client.add_contacts(book.id, [{"number": "09121234567", "name": "علی"}, "09351234567"])
    target = tmp_path / "out.csv"
    assert client.export_phonebook(book.id, target, per_page=1) == 2
    assert target.read_text(encoding="utf-8") == (
        "number,pre,name,email\n+989121234567,,علی,\n+989351234567,,,\n"
    )
    copy = client.create_phonebook("copy")
    client.import_contacts(copy.id, target)
    assert client_sandbox.phonebook_rows(copy.id) == client_sandbox.phonebook_rows(book.id)
    client.request_phonebook_export(book.id)  # IPPanel's own export: accepted


def test_phonebook_send_texts_each_number_once(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    first, second = client.create_phonebook("a"), client.create_phonebook("b")
    client.add_contacts(first.id, ["09121111111", "09122222222"])
    client.add_contacts(second.id, ["09122222222", "09123333333"])
    result = client.send_phonebook("سلام", [first.id, second.id])
    [bulk] = result.message_outbox_ids
    sent = client_sandbox.messages(bulk_id=bulk)
    assert sorted(m["recipient"] for m in sent) == [
        "+989121111111",
        "+989122222222",
        "+989123333333",
    ]
    assert {(m["text"], m["sender"], m["sending_type"]) for m in sent} == {
        ("سلام", SENDER, "phonebook")
    }

    chosen = client.list_contacts(phonebook_id=second.id, number="09123333333").items[0]
    [detail] = client.send_phonebook("hi", contact_ids={second.id: [chosen.id]}).message_outbox_ids
    assert [m["recipient"] for m in client_sandbox.messages(bulk_id=detail)] == ["+989123333333"]
    [window] = client.send_phonebook("w", [first.id, second.id], start=1, size=2).message_outbox_ids
    assert sorted(m["recipient"] for m in client_sandbox.messages(bulk_id=window)) == [
        "+989122222222"
    ]  # numbers 2 and 3 of the four are the same person


def test_keyword_phonebook_send_fills_each_numbers_option_values(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    debt = client.create_option("debt", "int")
    book = client.create_phonebook("debtors", option_ids=[debt.id])
    client.add_contacts(
        book.id,
        [
            NewContact("09121111111", options={debt.id: 1200}),
            NewContact("09122222222", options={debt.id: 50}),
        ],
    )
    result = client.send_keyword_phonebook(f"Balance: {{ex_{debt.id}}} Rial", [book.id])
    texts = {
        m["recipient"]: m["text"]
        for bulk in result.message_outbox_ids
        for m in client_sandbox.messages(bulk_id=bulk)
    }
    assert texts == {"+989121111111": "Balance: 1200 Rial", "+989122222222": "Balance: 50 Rial"}
    with pytest.raises(IPPanelValidationError, match="ex_999"):
        client.send_keyword_phonebook("x {ex_999}", [book.id])


def test_a_create_is_retried_only_where_the_sandbox_certainly_did_not_act(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    client_sandbox.chaos(route="POST /api/phonebooks", first_n=2, status=503)
    client.create_phonebook("after two 503s")
    assert [b["title"] for b in client_sandbox.phonebooks()] == ["after two 503s"]

    client_sandbox.chaos(route="POST /api/phonebooks", first_n=1, status=500)
    with pytest.raises(IPPanelServerError):
        client.create_phonebook("after a 500")
    client_sandbox.chaos(route="POST /api/phonebooks", first_n=1, fault="reset_after")
    with pytest.raises(IPPanelResponseLostError):
        client.create_phonebook("answer lost")
    creates = [r for r in client_sandbox.writes() if r["path"] == "/api/phonebooks"]
    assert len(creates) == 5  # 3 for the first, then 1 each: never repeated
    assert [b["title"] for b in client_sandbox.phonebooks()] == ["after two 503s", "answer lost"]


def test_sync_refuses_a_source_with_bad_rows_before_any_request(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    with pytest.raises(ValueError, match=r"1 bad row\(s\) in the source: item 2: 'bad'"):
        client.sync_phonebook("customers", ["09121234567", "bad", "09121234567"])
    assert client_sandbox.requests() == []
    counts = client.sync_phonebook("customers", ["09121234567", "+989121234567"])
    assert (counts.created, counts.added) == (True, 1)
    assert numbers_in(client_sandbox, counts.phonebook_id) == ["+989121234567"]
