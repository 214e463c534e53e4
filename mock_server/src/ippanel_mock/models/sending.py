"""Send planning: every sending type checked in full before any bulk is made.

Bodies arrive already shaped by their JSON Schema (http/schemas/requests/send_*.json); the rules
here are the ones a schema cannot state: each recipient normalized (and named by index when
bad), send times, pattern variables, postal-code audiences. Every problem of a request is
collected, then raised together as one InvalidFields. Sends of uploaded files are planned in
file_sending.py.
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ippanel_mock.models.audiences import BIRTH_YEARS, OPERATOR_IDS, PeopleFilter, audience
from ippanel_mock.models.errors import (
    FieldErrors,
    InvalidFields,
    SandboxError,
    collect,
    raise_if_any,
)
from ippanel_mock.models.geography import area_key
from ippanel_mock.models.history import postal_audience
from ippanel_mock.models.jobs import job_key
from ippanel_mock.models.lines import sender_problem
from ippanel_mock.models.patterns import PatternParamsError, PatternStore
from ippanel_mock.models.phonebooks import Contact, ContactFields, PhonebookStore
from ippanel_mock.models.phones import InvalidRecipient, Operator, national_number
from ippanel_mock.models.users import User
from ippanel_mock.models.wording import required_message

DEFAULT_SENDER = "+983000505"
VOTP_SENDER = "+98votp"
SEND_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
NO_VALID_RECIPIENTS = 4
"""state_id of a bulk whose targeting selected nobody, as IPPanel reports invalid recipients."""
POSTAL_OPERATORS: tuple[Operator, ...] = ("mci", "irancell", "other")
KEYWORD_SLOT = re.compile(r"\{ex_([0-9]{1,18})\}")
"""A slot of a keyword_phonebook message: the number's value of that option."""
MSG_BAD_RECIPIENT = "شماره گیرنده معتبر نیست"
MSG_BAD_SEND_TIME = "قالب گزینه زمان ارسال معتبر نیست (YYYY-MM-DD HH:MM:SS)"


@dataclass(slots=True)
class BulkPlan:
    """One bulk to create once the whole request is known to be valid (not frozen: a frozen
    dataclass pays an object.__setattr__ per field, on every send)."""

    text: str
    recipients: array
    sender: str
    sending_type: str
    send_time: float | None
    summary: str | None = None
    final_state: int | None = None


@dataclass(slots=True)
class SendContext:
    """What planning reads from the sandbox: the caller, the seed (postal audiences), the
    patterns, the phonebooks, and the clock's time (not frozen, like BulkPlan: one per send)."""

    user: User
    seed: int
    patterns: PatternStore
    phonebooks: PhonebookStore
    now: float


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


def plan_webservice(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    errors: FieldErrors = {}
    numbers = normalize_all(body["params"]["recipients"], "params.recipients", errors)
    send_time = parse_send_time(body.get("send_time"), errors)
    raise_if_any(errors)
    return [
        BulkPlan(body["message"], numbers, body["from_number"], body["sending_type"], send_time)
    ]


def plan_peer_to_peer(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    errors: FieldErrors = {}
    send_time = parse_send_time(body.get("send_time"), errors)
    plans = []
    for i, item in enumerate(body["params"]):
        numbers = normalize_all(item["recipients"], f"params.{i}.recipients", errors)
        plans.append(
            BulkPlan(item["message"], numbers, body["from_number"], "peer_to_peer", send_time)
        )
    raise_if_any(errors)
    return plans


def plan_postal_code(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    errors: FieldErrors = {}
    send_time = parse_send_time(body.get("send_time"), errors)
    numbers = array("q")
    for target in body["params"]:
        for operator in POSTAL_OPERATORS:
            block = target.get(operator) or {"start": 0, "size": 0}
            numbers.extend(
                postal_audience(
                    context.seed,
                    int(target["postal_code"]),
                    operator,
                    int(block["start"]),  # JSON Schema integers include 76.0
                    int(block["size"]),
                    white=target.get("bank") == "white",
                )
            )
    numbers.extend(normalize_all(body.get("other_recipients", []), "other_recipients", errors))
    raise_if_any(errors)
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


def plan_pattern(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    errors: FieldErrors = {}
    numbers = normalize_all(body["recipients"], "recipients", errors)
    send_time = parse_send_time(body.get("send_time"), errors)
    try:
        pattern = context.patterns.for_send(context.user, body["code"], context.now)
    except SandboxError as refusal:  # unknown, or not (yet) approved
        raise_if_any(errors)
        raise refusal from None
    text = ""
    try:
        text = pattern.render(body["params"])
    except PatternParamsError as exc:
        for name in exc.missing:
            collect(errors, f"params.{name}", required_message(name))
        for name in exc.extra:
            collect(errors, f"params.{name}", f"متغیر {name} در این الگو تعریف نشده است")
        for name, problem in exc.invalid.items():
            collect(errors, f"params.{name}", problem)
    kept = pattern_contact(body)
    if kept is not None:
        phonebook_id, fields = kept
        book = context.phonebooks.book(context.user, phonebook_id)
        for field, problems in context.phonebooks.contact_problems(
            context.user, book, fields
        ).items():
            if field != "number":  # the recipient's own problems are named above
                collect(errors, f"phonebook.{field}", problems[0])
    raise_if_any(errors)
    sender = body.get("from_number") or DEFAULT_SENDER
    return [BulkPlan(text, numbers, sender, "pattern", send_time, summary=f"الگو {pattern.code}")]


def pattern_contact(body: Mapping[str, Any]) -> tuple[int, ContactFields] | None:
    """The phonebook a pattern send keeps its recipient in, and the contact's fields."""
    spec = body.get("phonebook")
    if body.get("sending_type") != "pattern" or spec is None:
        return None
    fields = ContactFields(
        body["recipients"][0],
        spec.get("pre", ""),
        spec.get("name", ""),
        spec.get("email", ""),
        spec.get("options", {}),
    )
    return int(spec["id"]), fields


def plan_votp(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    errors: FieldErrors = {}
    numbers = normalize_all(body["params"]["recipients"], "params.recipients", errors)
    send_time = parse_send_time(body.get("send_time"), errors)
    raise_if_any(errors)
    code = body["message"]
    summary = f"ارسال کد فعالسازی صوتی : {code}"
    return [BulkPlan(code, numbers, VOTP_SENDER, "votp", send_time, summary=summary)]


def plan_country(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    """`country`: per target an area (province, county, city), filters, and a window per
    operator of the people left."""
    numbers = array("q")
    for target in body["params"]:
        key = area_key(target["province_id"], target.get("county_id"), target.get("city_id"))
        flt = PeopleFilter(
            int(target["gender"]), int(target["age_from"]), int(target["age_to"]),
            str(int(target["pre"])), white=target["bank"] == "white",
        )  # fmt: skip
        for operator in POSTAL_OPERATORS:
            block = target[operator]
            numbers.extend(bank_window(context.seed, key, operator, flt, block))
    return [bank_plan(body, numbers, "country")]


def plan_geolocation(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    """`geolocation` (the second country form): every field optional, operators by id."""
    numbers = array("q")
    for target in body["params"]:
        key = area_key(target.get("province_id"), target.get("county_id"), target.get("city_id"))
        flt = PeopleFilter(
            int(target.get("gender", 0)), int(target.get("from_age", BIRTH_YEARS[0])),
            int(target.get("to_age", BIRTH_YEARS[1])), str(target.get("pre", "")),
        )  # fmt: skip
        numbers.extend(operator_windows(context.seed, key, flt, target.get("operator")))
    return [bank_plan(body, numbers, "geolocation")]


def plan_job(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    """`job`: per target a main (and sub) job category, operators by id."""
    numbers = array("q")
    for target in body["params"]:
        key = job_key(int(target["main_category_id"]), target.get("sub_category_id"))
        numbers.extend(operator_windows(context.seed, key, PeopleFilter(), target.get("operator")))
    return [bank_plan(body, numbers, "job")]


def bank_window(
    seed: int, key: str | None, operator: Operator, flt: PeopleFilter, block: Mapping[str, Any]
) -> array:
    """`block`'s window ({"start", "size"}; size absent: to the end) of an audience; none when
    the target names no audience (levels that do not nest)."""
    if key is None:
        return array("q")
    start = int(block.get("start", 0))  # JSON Schema integers include 76.0
    people = audience(seed, key, operator, flt)
    size = int(block["size"]) if "size" in block else len(people)
    return people[start : start + size]


def operator_windows(
    seed: int, key: str | None, flt: PeopleFilter, blocks: Sequence[Mapping[str, Any]] | None
) -> array:
    """The windows of `blocks` ({"id", "start", "size"}); no blocks: everyone on every operator."""
    if blocks is None:
        blocks = [{"id": op_id} for op_id in OPERATOR_IDS]
    numbers = array("q")
    for block in blocks:
        numbers.extend(bank_window(seed, key, OPERATOR_IDS[int(block["id"])], flt, block))
    return numbers


def bank_plan(body: Mapping[str, Any], numbers: array, sending_type: str) -> BulkPlan:
    """One bulk of a bank's audience plus `other_recipients`; state 4 when it reaches nobody."""
    errors: FieldErrors = {}
    send_time = parse_send_time(body.get("send_time"), errors)
    numbers.extend(normalize_all(body.get("other_recipients", []), "other_recipients", errors))
    raise_if_any(errors)
    final_state = None if numbers else NO_VALID_RECIPIENTS
    return BulkPlan(
        body["message"], numbers, body["from_number"], sending_type, send_time,
        final_state=final_state,
    )  # fmt: skip


def plan_phonebook(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    """One bulk to the numbers the selections name, each number once."""
    errors: FieldErrors = {}
    send_time = parse_send_time(body.get("send_time"), errors)
    store, user = context.phonebooks, context.user
    numbers, seen = array("q"), set()
    for selection in body["params"]:
        chosen: Iterable[Contact]
        if selection["type"] == "all":
            books = [store.book(user, int(i)) for i in selection["phonebook_ids"]]
            start, size = int(selection.get("start", 0)), selection.get("size")
            stop = None if size is None else start + int(size)
            chosen = itertools.islice(itertools.chain(*(b.contacts() for b in books)), start, stop)
        else:
            book = store.book(user, int(selection["phonebook_id"]))
            chosen = [store.member(book, int(i)) for i in selection["number_ids"]]
        for contact in chosen:
            if contact.number not in seen:
                seen.add(contact.number)
                numbers.append(contact.number)
    raise_if_any(errors)
    sender = body["from_number"]
    final = None if numbers else NO_VALID_RECIPIENTS
    return [BulkPlan(body["message"], numbers, sender, "phonebook", send_time, final_state=final)]


def fill_keywords(template: str, values: Mapping[int, str]) -> str:
    return KEYWORD_SLOT.sub(lambda m: values.get(int(m.group(1)), ""), template)


def plan_keyword_phonebook(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    """One bulk per distinct message once each number's option values fill the template's
    {ex_<option id>} slots; each number once."""
    errors: FieldErrors = {}
    send_time = parse_send_time(body.get("send_time"), errors)
    books = [context.phonebooks.book(context.user, int(p["phonebook_id"])) for p in body["params"]]
    template = body["message"]
    slots = {int(slot) for slot in KEYWORD_SLOT.findall(template)}
    for book in books:
        for option_id in sorted(slots - set(book.option_ids)):
            collect(
                errors, "message", f"متغیر ex_{option_id} در دفترچه تلفن {book.id} تعریف نشده است"
            )
    raise_if_any(errors)
    groups: dict[str, array] = {}
    seen: set[int] = set()
    for contact in itertools.chain(*(b.contacts() for b in books)):
        if contact.number in seen:
            continue
        seen.add(contact.number)
        text = fill_keywords(template, dict(contact.options))
        groups.setdefault(text, array("q")).append(contact.number)
    sender = body["from_number"]
    if not groups:
        return [BulkPlan(template, array("q"), sender, "keyword_phonebook", send_time,
                         final_state=NO_VALID_RECIPIENTS)]  # fmt: skip
    return [
        BulkPlan(text, numbers, sender, "keyword_phonebook", send_time)
        for text, numbers in groups.items()
    ]


def plan_file_as_json(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    raise InvalidFields({"files": [required_message("files")]})


PLANNERS: dict[str, Callable[[Mapping[str, Any], SendContext], list[BulkPlan]]] = {
    "normal": plan_webservice,
    "webservice": plan_webservice,
    "peer_to_peer": plan_peer_to_peer,
    "peer_to_peer_file": plan_file_as_json,
    "file": plan_file_as_json,
    "keyword": plan_file_as_json,
    "postal_code": plan_postal_code,
    "pattern": plan_pattern,
    "votp": plan_votp,
    "country": plan_country,
    "geolocation": plan_geolocation,
    "job": plan_job,
    "phonebook": plan_phonebook,
    "keyword_phonebook": plan_keyword_phonebook,
}
SENDING_TYPES = tuple(PLANNERS)


def plan_send(body: Mapping[str, Any], context: SendContext) -> list[BulkPlan]:
    """The bulks a JSON send makes; raises InvalidFields (a sender line the caller does not
    hold among them) or another refusal, making nothing."""
    errors: FieldErrors = {}
    sender_errors(context.user, body["sending_type"], body.get("from_number"), errors)
    try:
        plans = PLANNERS[body["sending_type"]](body, context)
    except InvalidFields as exc:
        raise InvalidFields({**errors, **exc.fields}) from None
    except SandboxError:
        raise_if_any(errors)
        raise
    raise_if_any(errors)
    return plans


def sender_errors(user: User, sending_type: str, from_number: object, errors: FieldErrors) -> None:
    problem = sender_problem(user, sending_type, from_number)
    if problem is not None and "from_number" not in errors:
        collect(errors, "from_number", problem)
