"""Uploaded CSV files, read one way for every route that takes them (the `file`, `keyword` and
`peer_to_peer_file` sends, the phonebook import).

UTF-8 (a byte-order mark is fine), rows ending in LF or CRLF, read strictly: an unterminated
quote, text after a closing quote, a field over the csv module's limit (131072 characters) or a
line ending in a bare CR ends the file with one error naming the line its row starts on, so no
part of a malformed file is used.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ippanel_mock.models.errors import FieldErrors, collect

MSG_NOT_UTF8 = "فایل باید CSV با کدگذاری UTF-8 باشد"
MSG_BAD_CSV = "قالب CSV این سطر معتبر نیست"


def csv_rows(raw: bytes, field: str, errors: FieldErrors) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every row, blank ones too (as []), `line` being where the row starts.

    A problem stops the rows and is collected: text that is not UTF-8 under `field`, any
    csv.Error under `field.<line>`. Decoded as it is read, so a large file is not held twice.
    """
    text = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline="\n")
    reader = csv.reader(text, strict=True)
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        collect(errors, f"{field}.{line}", f"{MSG_BAD_CSV}: {exc}")
    except UnicodeDecodeError:
        collect(errors, field, MSG_NOT_UTF8)
