"""Sends, checked and planned before any request: one :class:`SendPlan` per call.

Input errors (bad numbers, empty text, past send_time, missing sender) raise here, so nothing is
sent. Large recipient lists become one request per ``chunk_size`` recipients.
"""

from __future__ import annotations

import csv
import io
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import InvalidRecipientsError
from .models import PeerToPeerItem, PostalCodeTarget
from .parts import message_parts
from .protocol import ApiRequest, MultipartField, decode_outbox_ids
from .recipients import chunked, normalize_recipient, normalize_recipients
from .schedule import Clock, to_send_time, utc_now

logger = logging.getLogger("ippanel_provider.client")

SENDING_TYPES = ("normal", "webservice")
CSV_HEADER = ("recipient", "message")


@dataclass(frozen=True)
class SendPlan:
    """The requests of one send, in order, and what they carry."""

    sending_type: str
    requests: list[ApiRequest[list[int]]]
    recipients: int
    parts: int


def checked_text(message: str, what: str = "message") -> str:
    """``message`` itself, if it is a non-empty string."""
    if not isinstance(message, str) or not message.strip():
        raise ValueError(f"{what} must be a non-empty string")
    return message


def checked_sender(sender: str | None) -> str:
    """The sender number, stripped; it must be given."""
    if not sender or not str(sender).strip():
        raise ValueError("a sender number is required: pass sender= or set default_sender")
    return str(sender).strip()


def _when(send_time: datetime | str | None, now: Clock) -> str | None:
    return None if send_time is None else to_send_time(send_time, now=now)


def _summary(kind: str, recipients: int, sender: str | None, index: int, total: int) -> str:
    text = f"{kind} send to {recipients} recipient(s)"
    if sender:
        text += f" from {sender}"
    if total > 1:
        text += f", chunk {index + 1} of {total}"
    return text


def _send_request(body: dict[str, Any], summary: str) -> ApiRequest[list[int]]:
    return ApiRequest(
        "POST", "/api/send", decode_outbox_ids, summary, json=body, is_send=True, idempotent=False
    )


def _log(plan: SendPlan, sender: str | None, send_time: str | None) -> SendPlan:
    logger.info(
        "IPPanel %s send: %d recipient(s), %d part(s) per message, %d request(s), sender %s%s",
        plan.sending_type,
        plan.recipients,
        plan.parts,
        len(plan.requests),
        sender or "-",
        f", scheduled {send_time} UTC" if send_time else "",
    )
    return plan


def plan_sms(
    recipients: Iterable[str],
    message: str,
    *,
    sender: str | None,
    send_time: datetime | str | None = None,
    sending_type: str = "webservice",
    chunk_size: int = 1000,
    now: Clock = utc_now,
) -> SendPlan:
    """One message to many recipients (``webservice`` or its older name ``normal``)."""
    if sending_type not in SENDING_TYPES:
        raise ValueError(f"sending_type must be one of {SENDING_TYPES}, got {sending_type!r}")
    text, origin = checked_text(message), checked_sender(sender)
    numbers = normalize_recipients(recipients)
    when = _when(send_time, now)
    chunks = list(chunked(numbers, chunk_size))
    requests = []
    for index, chunk in enumerate(chunks):
        body: dict[str, Any] = {
            "sending_type": sending_type,
            "from_number": origin,
            "message": text,
            "params": {"recipients": list(chunk)},
        }
        if when:
            body["send_time"] = when
        summary = _summary(sending_type, len(chunk), origin, index, len(chunks))
        requests.append(_send_request(body, summary))
    plan = SendPlan(sending_type, requests, len(numbers), message_parts(text).parts)
    return _log(plan, origin, when)


def _p2p_items(
    items: Sequence[PeerToPeerItem | tuple[Sequence[str], str]],
) -> list[tuple[list[str], str]]:
    if isinstance(items, str | bytes) or not items:
        raise ValueError("peer-to-peer needs at least one (recipients, message) item")
    result = []
    for position, item in enumerate(items, start=1):
        if isinstance(item, PeerToPeerItem):
            recipients, message = item.recipients, item.message
        elif isinstance(item, tuple | list) and len(item) == 2:
            recipients, message = item
        else:
            raise TypeError(
                f"peer-to-peer item {position} must be a PeerToPeerItem or (recipients, message)"
            )
        checked_text(message, f"message of item {position}")
        try:
            result.append((normalize_recipients(recipients), message))
        except InvalidRecipientsError as exc:
            raise InvalidRecipientsError(
                exc.invalid, exc.total, context=f"peer-to-peer item {position}"
            ) from None
        except ValueError:
            raise ValueError(f"peer-to-peer item {position} has no recipients") from None
    return result


def plan_peer_to_peer(
    items: Sequence[PeerToPeerItem | tuple[Sequence[str], str]],
    *,
    sender: str | None,
    send_time: datetime | str | None = None,
    chunk_size: int = 1000,
    now: Clock = utc_now,
) -> SendPlan:
    """Each item's own message to its own recipients; requests hold ``chunk_size`` recipients."""
    origin = checked_sender(sender)
    normalized = _p2p_items(items)
    when = _when(send_time, now)
    batches: list[list[dict[str, Any]]] = [[]]
    room = chunk_size
    for recipients, message in normalized:
        for piece in chunked(recipients, chunk_size):
            if len(piece) > room:
                batches.append([])
                room = chunk_size
            batches[-1].append({"recipients": list(piece), "message": message})
            room -= len(piece)
    requests = []
    for index, batch in enumerate(batches):
        body: dict[str, Any] = {
            "sending_type": "peer_to_peer",
            "from_number": origin,
            "params": batch,
        }
        if when:
            body["send_time"] = when
        count = sum(len(entry["recipients"]) for entry in batch)
        requests.append(
            _send_request(body, _summary("peer_to_peer", count, origin, index, len(batches)))
        )
    total = sum(len(r) for r, _ in normalized)
    parts = max(message_parts(m).parts for _, m in normalized)
    return _log(SendPlan("peer_to_peer", requests, total, parts), origin, when)


def read_peer_to_peer_rows(
    source: str | os.PathLike[str] | Iterable[tuple[str, str]],
) -> list[tuple[str, str]]:
    """Rows of ``(recipient, message)`` from a CSV path (header ``recipient,message``) or rows."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"peer-to-peer CSV not found: {path}")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [tuple(row) for row in csv.reader(handle) if row]
        if rows and tuple(c.strip().lower() for c in rows[0][:2]) == CSV_HEADER:
            rows = rows[1:]
    else:
        rows = [tuple(row) for row in source]
    bad = [i for i, row in enumerate(rows, start=1) if len(row) != 2]
    if bad:
        raise ValueError(f"peer-to-peer rows must have exactly 2 columns; rows {bad[:20]} do not")
    if not rows:
        raise ValueError("peer-to-peer file has no rows")
    return [(str(r), str(m)) for r, m in rows]


def _csv_bytes(rows: Sequence[tuple[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def plan_peer_to_peer_file(
    source: str | os.PathLike[str] | Iterable[tuple[str, str]],
    *,
    sender: str | None,
    send_time: datetime | str | None = None,
    chunk_size: int = 1000,
    now: Clock = utc_now,
) -> SendPlan:
    """Upload rows as ``files[]`` CSV parts (multipart), ``chunk_size`` rows per request."""
    origin = checked_sender(sender)
    rows = read_peer_to_peer_rows(source)
    numbers = normalize_recipients([r for r, _ in rows])
    empty = [i for i, (_, m) in enumerate(rows, start=1) if not m.strip()]
    if empty:
        raise ValueError(f"peer-to-peer rows have an empty message at positions {empty[:20]}")
    when = _when(send_time, now)
    normalized = [(n, m) for n, (_, m) in zip(numbers, rows, strict=True)]
    chunks = list(chunked(normalized, chunk_size))
    requests = []
    for index, chunk in enumerate(chunks):
        fields = [
            MultipartField("sending_type", "peer_to_peer_file"),
            MultipartField("from_number", origin),
        ]
        if when:
            fields.append(MultipartField("send_time", when))
        fields.append(
            MultipartField(
                "files[]",
                _csv_bytes(chunk),
                filename=f"recipients-{index + 1}.csv",
                content_type="text/csv",
            )
        )
        summary = _summary("peer_to_peer_file", len(chunk), origin, index, len(chunks))
        requests.append(
            ApiRequest(
                "POST",
                "/api/send",
                decode_outbox_ids,
                summary,
                files=tuple(fields),
                is_send=True,
                idempotent=False,
            )
        )
    parts = max(message_parts(m).parts for _, m in normalized)
    return _log(SendPlan("peer_to_peer_file", requests, len(normalized), parts), origin, when)


def plan_single(
    sending_type: str,
    fields: Mapping[str, Any],
    *,
    sender: str | None,
    send_time: datetime | str | None,
    now: Clock,
    summary: str,
    recipients: int,
    parts: int = 1,
    needs_sender: bool = True,
) -> SendPlan:
    """A send that is one request: ``sending_type``, the sender as ``from_number`` (checked),
    ``fields``, then ``send_time`` (checked). ``summary`` names it without secrets or message
    text; the sender is added to it."""
    origin = checked_sender(sender) if needs_sender else None
    when = _when(send_time, now)
    body: dict[str, Any] = {"sending_type": sending_type}
    if origin:
        body["from_number"] = origin
    body.update(fields)
    if when:
        body["send_time"] = when
    summary = f"{summary} from {origin}" if origin else summary
    plan = SendPlan(sending_type, [_send_request(body, summary)], recipients, parts)
    return _log(plan, origin, when)


def plan_postal_code(
    message: str,
    targets: Sequence[PostalCodeTarget | Mapping[str, Any]],
    *,
    other_recipients: Iterable[str] = (),
    sender: str | None,
    send_time: datetime | str | None = None,
    now: Clock = utc_now,
) -> SendPlan:
    """One message to postal-code audiences plus optional extra numbers (one request)."""
    text, origin = checked_text(message), checked_sender(sender)
    if not targets:
        raise ValueError("postal-code send needs at least one target")
    params = []
    for position, target in enumerate(targets, start=1):
        entry = target.to_json() if isinstance(target, PostalCodeTarget) else dict(target)
        if "postal_code" not in entry:
            raise ValueError(f"postal-code target {position} has no postal_code")
        params.append(entry)
    extra_input = list(other_recipients)
    extra = normalize_recipients(extra_input) if extra_input else []
    fields: dict[str, Any] = {"message": text, "params": params}
    if extra:
        fields["other_recipients"] = extra
    summary = (
        f"postal_code send to {len(params)} postal code(s) and {len(extra)} extra recipient(s)"
    )
    return plan_single(
        "postal_code",
        fields,
        sender=origin,
        send_time=send_time,
        now=now,
        summary=summary,
        recipients=len(extra),
        parts=message_parts(text).parts,
    )


def _pattern_value(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"pattern parameter {name!r} must be a string or a number")
    return str(value)


def plan_pattern(
    code: str,
    recipient: str,
    params: Mapping[str, object],
    *,
    sender: str | None,
    send_time: datetime | str | None = None,
    now: Clock = utc_now,
) -> SendPlan:
    """A stored pattern to exactly one recipient; parameter values are sent as strings."""
    pattern_code, origin = checked_text(code, "pattern code"), checked_sender(sender)
    if not isinstance(recipient, str):
        raise TypeError("a pattern send takes exactly one recipient (a string)")
    number = normalize_recipient(recipient)
    values = {str(k): _pattern_value(str(k), v) for k, v in params.items()}
    fields = {"code": pattern_code, "recipients": [number], "params": values}
    summary = f"pattern send (code {pattern_code}) to 1 recipient"
    return plan_single(
        "pattern",
        fields,
        sender=origin,
        send_time=send_time,
        now=now,
        summary=summary,
        recipients=1,
    )


def plan_votp(
    code: str, recipient: str, *, send_time: datetime | str | None = None, now: Clock = utc_now
) -> SendPlan:
    """A voice one-time password to exactly one recipient (the code is a secret)."""
    otp = checked_text(code, "VOTP code")
    if not isinstance(recipient, str):
        raise TypeError("a VOTP send takes exactly one recipient (a string)")
    number = normalize_recipient(recipient)
    fields = {"message": otp, "params": {"recipients": [number]}}
    return plan_single(
        "votp",
        fields,
        sender=None,
        send_time=send_time,
        now=now,
        summary="votp send to 1 recipient",
        recipients=1,
        needs_sender=False,
    )
