"""Plans of the audience sends (``country``, ``geolocation``, ``job``) and the file sends
(``file``, ``keyword``): every input checked before any request, one request each.

Positions in error messages count from 1.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .audience_models import CountryTarget, GeoTarget, JobTarget
from .errors import InvalidRecipientsError
from .parts import message_parts
from .protocol import ApiRequest, MultipartField, decode_outbox_ids
from .recipients import normalize_recipient, normalize_recipients
from .schedule import Clock, to_send_time, utc_now
from .sends import SendPlan, checked_sender, checked_text, plan_single

MAX_TARGETS = 30
"""IPPanel takes at most 30 areas or categories in one send."""
FILE_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PLACEHOLDER = re.compile(r"\{ex_([A-Z]+)\}")

Target = CountryTarget | GeoTarget | JobTarget


def _targets(
    kind: str, targets: Sequence[Any], cls: type[Target], required: tuple[str, ...]
) -> list[dict[str, Any]]:
    if isinstance(targets, str | bytes | Mapping) or not isinstance(targets, Sequence):
        raise TypeError(f"{kind} targets must be a list of {cls.__name__} or mappings")
    if not 1 <= len(targets) <= MAX_TARGETS:
        raise ValueError(f"a {kind} send takes 1 to {MAX_TARGETS} targets, got {len(targets)}")
    params = []
    for position, target in enumerate(targets, start=1):
        if isinstance(target, cls):
            entry = target.to_json()
        elif isinstance(target, Mapping):
            entry = dict(target)
        else:
            raise TypeError(
                f"{kind} target {position} must be a {cls.__name__} or a mapping, "
                f"got {type(target).__name__}"
            )
        missing = [name for name in required if entry.get(name) is None]
        if missing:
            raise ValueError(f"{kind} target {position} has no {', '.join(missing)}")
        params.append(entry)
    return params


def _others(other_recipients: Iterable[str]) -> list[str]:
    given = list(other_recipients)
    if not given:
        return []
    try:
        return normalize_recipients(given)
    except InvalidRecipientsError as exc:
        raise InvalidRecipientsError(exc.invalid, exc.total, context="other_recipients") from None


def _plan_audience(
    sending_type: str,
    message: str,
    params: list[dict[str, Any]],
    other_recipients: Iterable[str],
    *,
    sender: str | None,
    send_time: datetime | str | None,
    now: Clock,
) -> SendPlan:
    text = checked_text(message)
    extra = _others(other_recipients)
    fields: dict[str, Any] = {"message": text, "params": params}
    if extra:
        fields["other_recipients"] = extra
    summary = f"{sending_type} send to {len(params)} target(s) and {len(extra)} extra recipient(s)"
    return plan_single(
        sending_type,
        fields,
        sender=sender,
        send_time=send_time,
        now=now,
        summary=summary,
        recipients=len(extra),
        parts=message_parts(text).parts,
    )


def plan_country(
    message: str,
    targets: Sequence[CountryTarget | Mapping[str, Any]],
    *,
    other_recipients: Iterable[str] = (),
    sender: str | None,
    send_time: datetime | str | None = None,
    now: Clock = utc_now,
) -> SendPlan:
    """One message to areas of the country bank, plus optional extra numbers."""
    params = _targets("country", targets, CountryTarget, ("province_id", "pre"))
    return _plan_audience(
        "country", message, params, other_recipients, sender=sender, send_time=send_time, now=now
    )


def plan_geolocation(
    message: str,
    targets: Sequence[GeoTarget | Mapping[str, Any]],
    *,
    other_recipients: Iterable[str] = (),
    sender: str | None,
    send_time: datetime | str | None = None,
    now: Clock = utc_now,
) -> SendPlan:
    """One message to audiences of the second country form, plus optional extra numbers."""
    params = _targets("geolocation", targets, GeoTarget, ())
    return _plan_audience(
        "geolocation",
        message,
        params,
        other_recipients,
        sender=sender,
        send_time=send_time,
        now=now,
    )


def plan_job(
    message: str,
    targets: Sequence[JobTarget | Mapping[str, Any]],
    *,
    other_recipients: Iterable[str] = (),
    sender: str | None,
    send_time: datetime | str | None = None,
    now: Clock = utc_now,
) -> SendPlan:
    """One message to job categories' people, plus optional extra numbers."""
    params = _targets("job", targets, JobTarget, ("main_category_id",))
    return _plan_audience(
        "job", message, params, other_recipients, sender=sender, send_time=send_time, now=now
    )


# ---------------------------------------------------------------- file sends


def _file_part(path: Path) -> MultipartField:
    content_type = FILE_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise ValueError(f"{path.name}: send a .csv or .xlsx file, got {path.suffix or 'none'}")
    if not path.is_file():
        raise FileNotFoundError(f"file to send not found: {path}")
    return MultipartField(
        "files[]", path.read_bytes(), filename=path.name, content_type=content_type
    )


def _csv_part(rows: Iterable[Sequence[str]], name: str) -> MultipartField:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return MultipartField("files[]", data, filename=name, content_type="text/csv")


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]


def _without_header(rows: list[list[str]]) -> list[list[str]]:
    """``rows`` without a first row whose first cell is no number (a header, as IPPanel reads
    it)."""
    if rows and _normalized_or_none(rows[0][0] if rows[0] else "") is None:
        return rows[1:]
    return rows


def _numbers_of_rows(rows: Sequence[Sequence[str]], what: str) -> list[str]:
    """The normalized numbers of the rows' first cells, every bad one named (1-based)."""
    if not rows:
        raise ValueError(f"{what} has no rows")
    try:
        return normalize_recipients([str(row[0]) if row else "" for row in rows])
    except InvalidRecipientsError as exc:
        raise InvalidRecipientsError(exc.invalid, exc.total, context=what) from None


def _normalized_or_none(value: str) -> str | None:
    try:
        return normalize_recipient(value)
    except InvalidRecipientsError:
        return None


def _multipart_plan(
    sending_type: str,
    fields: list[MultipartField],
    *,
    sender: str | None,
    send_time: datetime | str | None,
    now: Clock,
    recipients: int,
    parts: int,
) -> SendPlan:
    origin = checked_sender(sender)
    head = [MultipartField("sending_type", sending_type), MultipartField("from_number", origin)]
    if send_time is not None:
        head.append(MultipartField("send_time", to_send_time(send_time, now=now)))
    whom = f"{recipients} recipient(s)" if recipients else "the numbers of an uploaded file"
    summary = f"{sending_type} send to {whom} from {origin}"
    request = ApiRequest(
        "POST",
        "/api/send",
        decode_outbox_ids,
        summary,
        files=tuple(head + fields),
        is_send=True,
        idempotent=False,
    )
    return SendPlan(sending_type, [request], recipients, parts)


def plan_file(
    source: str | os.PathLike[str] | Iterable[str],
    message: str,
    *,
    other_recipients: Iterable[str] = (),
    sender: str | None,
    send_time: datetime | str | None = None,
    now: Clock = utc_now,
) -> SendPlan:
    """One message to the numbers of a file: a CSV (checked here, one number a row in the first
    column), an XLSX (uploaded as it is) or an iterable of numbers (uploaded as CSV)."""
    text = checked_text(message)
    extra = _others(other_recipients)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix.lower() == ".csv" and path.is_file():
            numbers = _numbers_of_rows(_without_header(_csv_rows(path)), f"file {path.name}")
            upload = _csv_part([["number"], *([n] for n in numbers)], path.name)
            count = len(numbers)
        else:
            upload, count = _file_part(path), 0
    else:
        numbers = _numbers_of_rows([[str(n)] for n in source], "recipients")
        upload = _csv_part([["number"], *([n] for n in numbers)], "recipients.csv")
        count = len(numbers)
    fields = [MultipartField("message", text)]
    fields += [MultipartField("other_recipients[]", number) for number in extra]
    fields.append(upload)
    return _multipart_plan(
        "file",
        fields,
        sender=sender,
        send_time=send_time,
        now=now,
        recipients=count + len(extra),
        parts=message_parts(text).parts,
    )


def _column(letters: str) -> int:
    """Spreadsheet column letters → 0-based index (``A`` 0, ``B`` 1, ``AA`` 26)."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def plan_keyword(
    source: str | os.PathLike[str] | Iterable[Sequence[Any]],
    message: str,
    *,
    sender: str | None,
    send_time: datetime | str | None = None,
    now: Clock = utc_now,
) -> SendPlan:
    """A text whose ``{ex_B}``, ``{ex_C}``… take each row's cells of columns B, C…, to the
    number in column A: from a CSV (checked here), an XLSX (uploaded as it is) or rows."""
    text = checked_text(message)
    needed = max((_column(c) for c in PLACEHOLDER.findall(text)), default=0)
    if isinstance(source, str | os.PathLike) and Path(source).suffix.lower() != ".csv":
        upload, count = _file_part(Path(source)), 0
    else:
        name = Path(source).name if isinstance(source, str | os.PathLike) else "keywords.csv"
        if isinstance(source, str | os.PathLike):
            if not Path(source).is_file():
                raise FileNotFoundError(f"file to send not found: {source}")
            rows: list[list[str]] = _csv_rows(Path(source))
        else:
            rows = [[str(cell) for cell in row] for row in source]
        rows = _without_header(rows)
        numbers = _numbers_of_rows(rows, f"keyword rows of {name}")
        short = [i for i, row in enumerate(rows, start=1) if len(row) <= needed]
        if short:
            raise ValueError(
                f"keyword rows {short[:20]} have no column {chr(ord('A') + needed)}, which "
                f"the message uses (positions count from 1)"
            )
        upload = _csv_part([[n, *row[1:]] for n, row in zip(numbers, rows, strict=True)], name)
        count = len(numbers)
    fields = [MultipartField("message", text), upload]
    return _multipart_plan(
        "keyword",
        fields,
        sender=sender,
        send_time=send_time,
        now=now,
        recipients=count,
        parts=message_parts(text).parts,
    )
