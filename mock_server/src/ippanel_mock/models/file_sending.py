"""Sends whose recipients come in uploaded files: `file` (a list of numbers, one text),
`keyword` (a table whose columns fill the text's `{ex_B}`, `{ex_C}`… slots, row by row) and
`peer_to_peer_file` (CSV `recipient,message` rows, one bulk per distinct message).

`file` and `keyword` files are CSV in UTF-8 or XLSX (the first sheet): the first column holds the
number, the first row may be a header (it is one when its first cell is not a number).
`peer_to_peer_file` files are CSV whose first row is that header. Every problem of every file is
collected, naming the file and line, before any bulk is made.
"""

from __future__ import annotations

import io
import re
import zipfile
from array import array
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime

from ippanel_mock.models.csv_files import csv_rows
from ippanel_mock.models.errors import FieldErrors, collect, raise_if_any
from ippanel_mock.models.phones import InvalidRecipient, national_number
from ippanel_mock.models.sending import (
    MSG_BAD_RECIPIENT,
    BulkPlan,
    normalize_all,
    parse_send_time,
)

MAX_FILE_ROWS = 100_000
XLSX_MAGIC = b"PK\x03\x04"
XLSX_MAX_UNPACKED = 32 * 1024 * 1024
"""Bytes an XLSX file may unpack to (its parts' declared sizes, which bound what is read):
a small upload cannot become a large workbook in memory."""
XLSX_MAX_PARTS = 1_000
SLOT = re.compile(r"\{ex_([A-Z]{1,2})\}")
MSG_BAD_XLSX = "فایل XLSX خوانا نیست"
MSG_BIG_XLSX = f"فایل XLSX نباید بیش از {XLSX_MAX_UNPACKED // 2**20} مگابایت باز شود"
MSG_EMPTY = "فایل هیچ سطری برای ارسال ندارد"


def column_index(letters: str) -> int:
    """Spreadsheet column letters to a 0-based index: A -> 0, B -> 1, AA -> 26."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def rows_of(raw: bytes, field: str, errors: FieldErrors) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every non-empty data row; the header row, when there is one, is left
    out. Problems are collected under `field` (and `field.line`)."""
    rows = (
        xlsx_rows(raw, field, errors)
        if raw.startswith(XLSX_MAGIC)
        else csv_rows(raw, field, errors)
    )
    count = 0
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if count == 0 and line == 1 and not _is_number(row[0]):
            continue  # a header
        count += 1
        if count > MAX_FILE_ROWS:
            collect(errors, field, f"فایل نباید بیشتر از {MAX_FILE_ROWS} سطر داشته باشد")
            return
        yield line, row
    if count == 0 and not has_problem(errors, field):
        collect(errors, field, MSG_EMPTY)


def has_problem(errors: FieldErrors, field: str) -> bool:
    """Whether `field` or one of its lines (`field.<line>`) has an error."""
    return field in errors or any(name.startswith(f"{field}.") for name in errors)


def xlsx_rows(raw: bytes, field: str, errors: FieldErrors) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's rows as text, read in openpyxl's streaming mode once the archive is
    known to unpack to a bounded size."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        collect(errors, field, MSG_BAD_XLSX)
        return
    if len(parts) > XLSX_MAX_PARTS or sum(p.file_size for p in parts) > XLSX_MAX_UNPACKED:
        collect(errors, field, MSG_BIG_XLSX)
        return
    from openpyxl import load_workbook  # slow to import; only when a workbook arrives

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # any way a hostile archive breaks the reader is the same 422
        collect(errors, field, MSG_BAD_XLSX)
        return
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(value) for value in values]
    except Exception:
        collect(errors, field, MSG_BAD_XLSX)
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A cell as the text a CSV would hold: 9121234567 stays digits (a number cell loses the
    leading 0 of 0912…, which the number rules accept), 4821.0 becomes 4821."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _send_time(fields: Mapping[str, str], errors: FieldErrors) -> float | None:
    """The form's send time (None when absent, or already refused by the form's schema)."""
    return None if "send_time" in errors else parse_send_time(fields.get("send_time"), errors)


def _is_number(cell: str) -> bool:
    try:
        national_number(cell)
    except InvalidRecipient:
        return False
    return True


def _number(cell: str, where: str, errors: FieldErrors) -> int | None:
    try:
        return national_number(cell)
    except InvalidRecipient:
        collect(errors, where, f"{MSG_BAD_RECIPIENT}: {cell[:32]}")
        return None


def fill(template: str, slots: Mapping[str, int], row: Sequence[str]) -> str:
    """The template with each `{ex_X}` replaced by the row's cell in column X."""
    return SLOT.sub(lambda found: row[slots[found[1]]].strip(), template)


def plan_number_file(
    fields: Mapping[str, str],
    files: Sequence[bytes],
    errors: FieldErrors,
    other_recipients: Sequence[str] = (),
) -> list[BulkPlan]:
    """`file`: one text to every number of the files, and to `other_recipients`."""
    send_time = _send_time(fields, errors)
    numbers = array("q")
    for index, raw in enumerate(files):
        for line, row in rows_of(raw, f"files.{index}", errors):
            number = _number(row[0], f"files.{index}.{line}", errors)
            if number is not None:
                numbers.append(number)
    numbers.extend(normalize_all(other_recipients, "other_recipients", errors))
    raise_if_any(errors)
    return [BulkPlan(fields["message"], numbers, fields["from_number"], "file", send_time)]


def plan_keyword_file(
    fields: Mapping[str, str], files: Sequence[bytes], errors: FieldErrors
) -> list[BulkPlan]:
    """`keyword`: each row's number gets the text with `{ex_B}`… replaced by that row's cells;
    one bulk per distinct text, as for peer_to_peer_file."""
    template = fields.get("message", "")
    send_time = _send_time(fields, errors)
    slots = {letters: column_index(letters) for letters in SLOT.findall(template)}
    groups: dict[str, array] = {}
    for index, raw in enumerate(files):
        for line, row in rows_of(raw, f"files.{index}", errors):
            where = f"files.{index}.{line}"
            missing = [f"ex_{letters}" for letters, col in slots.items() if col >= len(row)]
            if missing:
                collect(errors, where, f"این سطر ستون {', '.join(missing)} را ندارد")
                continue
            number = _number(row[0], where, errors)
            if number is None:
                continue
            text = fill(template, slots, row)
            if not text.strip() and "message" not in errors:
                collect(errors, where, "متن پیام این سطر خالی است")
                continue
            groups.setdefault(text, array("q")).append(number)
    raise_if_any(errors)
    sender = fields["from_number"]
    return [
        BulkPlan(text, numbers, sender, "keyword", send_time) for text, numbers in groups.items()
    ]


def parse_csv(raw: bytes, field: str, errors: FieldErrors) -> dict[str, array]:
    """`recipient,message` rows grouped by message, first-seen order; errors name the line
    (read as models/csv_files.py reads every CSV upload)."""
    rows = csv_rows(raw, field, errors)
    _, header = next(rows, (1, None))
    if has_problem(errors, field):
        return {}  # not UTF-8, or the header row is not CSV
    if header is None or [h.strip().lower() for h in header] != ["recipient", "message"]:
        collect(errors, field, "سطر اول فایل باید recipient,message باشد")
        return {}
    groups: dict[str, array] = {}
    count = 0
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count > MAX_FILE_ROWS:
            collect(errors, field, f"فایل نباید بیشتر از {MAX_FILE_ROWS} سطر داشته باشد")
            break
        if len(row) != 2 or not row[1].strip():
            collect(errors, f"{field}.{line}", "هر سطر باید یک گیرنده و یک پیام داشته باشد")
            continue
        try:
            number = national_number(row[0])
        except InvalidRecipient:
            collect(errors, f"{field}.{line}", f"{MSG_BAD_RECIPIENT}: {row[0][:32]}")
            continue
        groups.setdefault(row[1], array("q")).append(number)
    if count == 0 and not has_problem(errors, field):
        collect(errors, field, MSG_EMPTY)
    return groups


def plan_file(
    fields: Mapping[str, str], files: Sequence[bytes], errors: FieldErrors
) -> list[BulkPlan]:
    """One bulk per distinct message of the CSV files (`peer_to_peer_file`).

    `errors` holds what the form's shape check found, so one answer names every problem.
    """
    send_time = (
        parse_send_time(fields.get("send_time"), errors) if "send_time" not in errors else None
    )
    groups: dict[str, array] = {}
    for index, raw in enumerate(files):
        for text, numbers in parse_csv(raw, f"files.{index}", errors).items():
            groups.setdefault(text, array("q")).extend(numbers)
    raise_if_any(errors)
    sender = fields["from_number"]
    return [
        BulkPlan(text, numbers, sender, "peer_to_peer_file", send_time)
        for text, numbers in groups.items()
    ]
