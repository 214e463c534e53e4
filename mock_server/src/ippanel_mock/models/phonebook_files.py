"""The phonebook file: what an import reads and an export writes (the sandbox's form of the
docs' "sample", which they do not show).

CSV as every upload is read (models/csv_files.py: UTF-8, strict), a header row, then one
contact a row:

    number,pre,name,email,46001
    +989121234567,آقای,حسن,hasan@example.com,1370/01/01

`number` is required; `pre`, `name`, `email` and a column per option of the phonebook (named by
the option's id) are optional and may come in any order. An import adds every row or none.
"""

from __future__ import annotations

from collections.abc import Iterator

from ippanel_mock.models.csv_files import csv_rows
from ippanel_mock.models.errors import FieldErrors, RuleBroken, collect, invalid
from ippanel_mock.models.phonebooks import (
    MSG_FULL,
    Contact,
    ContactFields,
    Phonebook,
    PhonebookStore,
)
from ippanel_mock.models.phones import format_number, national_number
from ippanel_mock.models.users import User

BASE_COLUMNS = ("number", "pre", "name", "email")
MAX_REPORTED_LINES = 100
"""An import names at most this many bad lines."""
FIELD = "file"
ZIP_MAGIC = b"PK\x03\x04"
"""How an .xlsx (a zip archive) starts."""


def header_of(book: Phonebook) -> list[str]:
    return [*BASE_COLUMNS, *map(str, book.option_ids)]


def _columns(header: list[str] | None, book: Phonebook, errors: FieldErrors) -> list[str]:
    columns = [cell.strip().lower() for cell in header or []]
    allowed = set(header_of(book))
    if "number" not in columns:
        collect(errors, FIELD, "سطر اول فایل باید ستون number داشته باشد")
    for column in columns:
        if column not in allowed:
            collect(errors, FIELD, f"ستون {column[:32]} در این دفترچه تلفن تعریف نشده است")
    if len(set(columns)) != len(columns):
        collect(errors, FIELD, "نام ستون ها در سطر اول تکراری است")
    return columns


def _fields(columns: list[str], row: list[str]) -> ContactFields:
    cells = dict(zip(columns, (cell.strip() for cell in row), strict=True))
    options = {c: v for c, v in cells.items() if c not in BASE_COLUMNS and v}
    return ContactFields(
        cells["number"], cells.get("pre", ""), cells.get("name", ""), cells.get("email", ""),
        options,
    )  # fmt: skip


def import_file(store: PhonebookStore, user: User, book: Phonebook, raw: bytes) -> int:
    """Add the file's new numbers to `book`; how many were added. Numbers already there (or
    twice in the file) are skipped. InvalidFields naming `file.<line>`, or RuleBroken when they
    do not fit, and then nothing is added."""
    if raw.startswith(ZIP_MAGIC):
        raise invalid({FIELD: ["فایل Excel پشتیبانی نمی شود؛ فایل CSV با کدگذاری UTF-8 بفرستید"]})
    errors: FieldErrors = {}
    staged: list[ContactFields] = []
    seen: set[int] = set()
    read = 0
    rows = csv_rows(raw, FIELD, errors)
    _, header = next(rows, (1, None))
    columns = _columns(header, book, errors) if not errors else []
    for line, row in rows:
        if FIELD in errors or len(errors) >= MAX_REPORTED_LINES:
            break  # the header is wrong, or enough lines are named
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            collect(errors, f"{FIELD}.{line}", "تعداد ستون های سطر با سطر اول یکی نیست")
            continue
        fields = _fields(columns, row)
        problems = store.contact_problems(user, book, fields)
        for column, messages in problems.items():
            collect(errors, f"{FIELD}.{line}", f"{column}: {messages[0]}")
        if problems:
            continue
        read += 1
        national = national_number(fields.number)  # type: ignore[arg-type]
        if national not in book.by_number and national not in seen:
            seen.add(national)
            staged.append(fields)
    if not errors and read == 0:
        collect(errors, FIELD, "فایل هیچ سطری برای افزودن ندارد")
    if errors:
        raise invalid(errors)
    if not store.has_room(book, len(staged)):
        raise RuleBroken(MSG_FULL)
    for fields in staged:
        store.put(book, store.make_contact(book, fields))
    book.import_status = 0
    book.updated_at = store.clock.now()
    return len(staged)


def export_rows(book: Phonebook) -> Iterator[list[str]]:
    """The header, then each contact of `book` as a row, made one at a time: only references
    to the contacts are taken up front, so the phonebook may change while the rows are read."""
    option_ids = book.option_ids
    contacts = list(book.members.values())
    yield header_of(book)
    for contact in map(Contact._make, contacts):
        values = dict(contact.options)
        yield [
            format_number(contact.number), contact.pre, contact.name, contact.email,
            *(values.get(i, "") for i in option_ids),
        ]  # fmt: skip
