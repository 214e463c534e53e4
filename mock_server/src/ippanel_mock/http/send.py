"""POST /api/send: each sending type is planned and validated in full before anything is made."""

from __future__ import annotations

import csv
import io
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from ippanel_mock.http.auth import backend_of, json_body, require_user
from ippanel_mock.http.envelope import ApiError, ok, validation_failed
from ippanel_mock.http.validation import (
    FieldErrors,
    collect,
    read_bytes,
    required_message,
    schema_errors,
)
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.history import postal_audience
from ippanel_mock.models.phones import InvalidRecipient, national_number

DEFAULT_SENDER = "+983000505"
VOTP_SENDER = "+98votp"
SEND_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_FILE_ROWS = 100_000
FILE_FORM_FIELDS = {"sending_type", "from_number", "send_time"}
NO_VALID_RECIPIENTS = 4
"""state_id of a bulk whose targeting selected nobody, as IPPanel reports invalid recipients."""
MSG_BAD_RECIPIENT = "شماره گیرنده معتبر نیست"
MSG_BAD_SEND_TIME = "قالب گزینه زمان ارسال معتبر نیست (YYYY-MM-DD HH:MM:SS)"
MSG_UNKNOWN_PATTERN = "الگوی مورد نظر یافت نشد"
MSG_BAD_MULTIPART = "بدنه multipart/form-data معتبر نیست"

routes = web.RouteTableDef()


@dataclass(frozen=True, slots=True)
class BulkPlan:
    """One bulk to create once the whole request is known to be valid."""

    text: str
    recipients: array
    sender: str
    sending_type: str
    send_time: float | None
    summary: str | None = None
    final_state: int | None = None


def parse_send_time(value: object, errors: FieldErrors) -> float | None:
    if value is None:
        return None
    try:
        moment = datetime.strptime(str(value), SEND_TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        collect(errors, "send_time", MSG_BAD_SEND_TIME)
        return None
    return moment.timestamp()


def normalize_all(values: Sequence[Any], field: str, errors: FieldErrors) -> array:
    """National numbers of every recipient; each bad one is named by its index."""
    numbers = array("q")
    for index, raw in enumerate(values):
        try:
            numbers.append(national_number(raw))
        except (InvalidRecipient, TypeError, AttributeError):
            collect(errors, f"{field}.{index}", f"{MSG_BAD_RECIPIENT}: {str(raw)[:32]}")
    return numbers


def _checked(schema: str, body: dict[str, Any]) -> FieldErrors:
    errors = schema_errors(schema, body)
    if errors:
        raise validation_failed(errors)
    return {}


def plan_webservice(body: dict[str, Any], backend: SandboxBackend) -> list[BulkPlan]:
    errors = _checked("send_webservice", body)
    numbers = normalize_all(body["params"]["recipients"], "params.recipients", errors)
    send_time = parse_send_time(body.get("send_time"), errors)
    _raise(errors)
    return [
        BulkPlan(body["message"], numbers, body["from_number"], body["sending_type"], send_time)
    ]


def plan_peer_to_peer(body: dict[str, Any], backend: SandboxBackend) -> list[BulkPlan]:
    errors = _checked("send_peer_to_peer", body)
    send_time = parse_send_time(body.get("send_time"), errors)
    plans = []
    for i, item in enumerate(body["params"]):
        numbers = normalize_all(item["recipients"], f"params.{i}.recipients", errors)
        plans.append(
            BulkPlan(item["message"], numbers, body["from_number"], "peer_to_peer", send_time)
        )
    _raise(errors)
    return plans


def plan_postal_code(body: dict[str, Any], backend: SandboxBackend) -> list[BulkPlan]:
    errors = _checked("send_postal_code", body)
    send_time = parse_send_time(body.get("send_time"), errors)
    numbers = array("q")
    for target in body["params"]:
        for operator in ("mci", "irancell", "other"):
            block = target.get(operator) or {"start": 0, "size": 0}
            numbers.extend(
                postal_audience(
                    backend.config.seed,
                    int(target["postal_code"]),
                    operator,
                    int(block["start"]),  # JSON Schema integers include 76.0
                    int(block["size"]),
                )
            )
    numbers.extend(normalize_all(body.get("other_recipients", []), "other_recipients", errors))
    _raise(errors)
    return [
        BulkPlan(
            body["message"],
            numbers,
            body["from_number"],
            "postal_code",
            send_time,
            final_state=None if numbers else NO_VALID_RECIPIENTS,
        )
    ]


def plan_pattern(body: dict[str, Any], backend: SandboxBackend) -> list[BulkPlan]:
    errors = _checked("send_pattern", body)
    numbers = normalize_all(body["recipients"], "recipients", errors)
    send_time = parse_send_time(body.get("send_time"), errors)
    pattern = backend.patterns.get(body["code"])
    params: dict[str, str] = body["params"]
    if pattern is not None:
        for name in pattern.variables:
            if name not in params:
                collect(errors, f"params.{name}", required_message(name))
        for name in params:
            if name not in pattern.variables:
                collect(errors, f"params.{name}", f"متغیر {name} در این الگو تعریف نشده است")
    _raise(errors)
    if pattern is None:
        raise ApiError(400, "400-1", MSG_UNKNOWN_PATTERN)
    text = pattern.render(params)
    sender = body.get("from_number") or DEFAULT_SENDER
    return [BulkPlan(text, numbers, sender, "pattern", send_time, summary=f"الگو {pattern.code}")]


def plan_votp(body: dict[str, Any], backend: SandboxBackend) -> list[BulkPlan]:
    errors = _checked("send_votp", body)
    numbers = normalize_all(body["params"]["recipients"], "params.recipients", errors)
    send_time = parse_send_time(body.get("send_time"), errors)
    _raise(errors)
    code = body["message"]
    summary = f"ارسال کد فعالسازی صوتی : {code}"
    return [BulkPlan(code, numbers, VOTP_SENDER, "votp", send_time, summary=summary)]


def plan_file_as_json(body: dict[str, Any], backend: SandboxBackend) -> list[BulkPlan]:
    raise validation_failed({"files": [required_message("files")]})


def _raise(errors: FieldErrors) -> None:
    if errors:
        raise validation_failed(errors)


PLANNERS: dict[str, Callable[[dict[str, Any], SandboxBackend], list[BulkPlan]]] = {
    "normal": plan_webservice,
    "webservice": plan_webservice,
    "peer_to_peer": plan_peer_to_peer,
    "peer_to_peer_file": plan_file_as_json,
    "postal_code": plan_postal_code,
    "pattern": plan_pattern,
    "votp": plan_votp,
}


def parse_csv(raw: bytes, field: str, errors: FieldErrors) -> dict[str, array]:
    """`recipient,message` rows grouped by message, first-seen order; errors name the line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        collect(errors, field, "فایل باید با کدگذاری UTF-8 باشد")
        return {}
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None or [h.strip().lower() for h in header] != ["recipient", "message"]:
        collect(errors, field, "سطر اول فایل باید recipient,message باشد")
        return {}
    groups: dict[str, array] = {}
    count = 0
    for line, row in enumerate(rows, start=2):
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
    if count == 0 and field not in errors:
        collect(errors, field, "فایل هیچ سطری برای ارسال ندارد")
    return groups


async def plan_file(request: web.Request, backend: SandboxBackend) -> list[BulkPlan]:
    limit = backend.config.max_body_bytes
    form: dict[str, str] = {}
    files: list[bytes] = []
    total = 0
    try:
        async for part in await request.multipart():
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read(decode=True)
            total += len(data)
            if total > limit:
                raise ApiError(413, "413-1", "حجم درخواست بیش از حد مجاز است")
            if part.name in ("files[]", "files"):
                files.append(bytes(data))
            else:
                try:
                    form[part.name] = bytes(data).decode("utf-8")
                except UnicodeDecodeError:
                    form[part.name] = ""
    except (ValueError, HttpProcessingError):
        raise ApiError(400, "400-3", MSG_BAD_MULTIPART) from None
    errors = schema_errors("send_peer_to_peer_file", form)
    for name in form.keys() - FILE_FORM_FIELDS:
        collect(errors, name, f"گزینه {name} مجاز نیست")
    if form.get("sending_type") != "peer_to_peer_file":
        collect(errors, "sending_type", "مقدار انتخاب شده برای sending_type معتبر نیست")
    if not files:
        collect(errors, "files", required_message("files"))
    send_time = (
        parse_send_time(form.get("send_time"), errors) if "send_time" not in errors else None
    )
    groups: dict[str, array] = {}
    for index, raw in enumerate(files):
        for text, numbers in parse_csv(raw, f"files.{index}", errors).items():
            groups.setdefault(text, array("q")).extend(numbers)
    _raise(errors)
    sender = form["from_number"]
    return [
        BulkPlan(text, numbers, sender, "peer_to_peer_file", send_time)
        for text, numbers in groups.items()
    ]


@routes.post("/api/send")
async def send(request: web.Request) -> web.Response:
    backend = backend_of(request)
    user = require_user(request)
    if request.content_type == "multipart/form-data":
        plans = await plan_file(request, backend)
    elif request.content_type == "application/x-www-form-urlencoded":
        await read_bytes(request, backend.config.max_body_bytes)
        raise ApiError(415, "415-1", "نوع محتوای درخواست پشتیبانی نمی شود")
    else:
        body = await json_body(request, "send")
        plans = PLANNERS[body["sending_type"]](body, backend)
    ids = []
    for plan in plans:
        bulk = backend.outbox.create(
            user,
            sender=plan.sender,
            text=plan.text,
            recipients=plan.recipients,
            sending_type=plan.sending_type,
            send_time=plan.send_time,
            summary=plan.summary,
            user_ip=request.remote,
        )
        if plan.final_state is not None and bulk.final_state is None:
            backend.outbox.force_state(bulk.id, plan.final_state)
        if bulk.final_state is None:
            backend.capture_bulk(bulk.id)
        ids.append(bulk.id)
    return ok({"message_outbox_ids": ids})
