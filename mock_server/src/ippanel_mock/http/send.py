"""POST /api/send: JSON for every sending type, multipart forms with files for `file`,
`keyword` (CSV or XLSX) and `peer_to_peer_file` (CSV).

The route reads and shapes the request; SandboxBackend.send / send_file plan and make the bulks.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.base import MOBILE_PATTERN
from ippanel_mock.http.body import (
    FORM_CONTENT_TYPE,
    MULTIPART_CONTENT_TYPE,
    BodyError,
    BodyProblem,
    FileForm,
    check_schema,
    media_type,
    read_bytes,
    read_file_form,
    read_json_object,
)
from ippanel_mock.http.body_specs import Components
from ippanel_mock.http.envelope import MSG_BAD_MULTIPART, ok
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.http.validation import load_schema, schema_errors
from ippanel_mock.models.errors import (
    FieldErrors,
    InvalidFields,
    NotFound,
    RuleBroken,
    UnknownPattern,
    collect,
)
from ippanel_mock.models.file_sending import MAX_FILE_ROWS
from ippanel_mock.models.patterns import PatternStore
from ippanel_mock.models.wording import not_allowed_message, required_message

FILE_PARTS = ("files[]", "files")
FILE_FORMS: dict[str, tuple[str, frozenset[str]]] = {
    "peer_to_peer_file": ("send_peer_to_peer_file", frozenset()),
    "file": ("send_file", frozenset({"other_recipients[]"})),
    "keyword": ("send_keyword", frozenset()),
}
"""Sending types sent as multipart forms: the schema of their text fields, and the repeated
`name[]` fields they take besides."""
SEND_VARIANTS = {
    "normal": "send_webservice",
    "webservice": "send_webservice",
    "peer_to_peer": "send_peer_to_peer",
    "postal_code": "send_postal_code",
    "pattern": "send_pattern",
    "votp": "send_votp",
    "country": "send_country",
    "geolocation": "send_geolocation",
    "job": "send_job",
    "phonebook": "send_phonebook",
    "keyword_phonebook": "send_keyword_phonebook",
}
"""The schema each JSON sending type must also meet (peer_to_peer_file needs multipart)."""
DOCUMENTED_VARIANTS = tuple(dict.fromkeys(SEND_VARIANTS.values()))

RECIPIENT_LISTS = ("recipients", "other_recipients")
_NUMBER = r"(\+98|0098|98|0)?9[0-9]{9}"
_CSV_ROW = rf"{_NUMBER},[A-Za-z0-9 ]*[A-Za-z0-9][A-Za-z0-9 ]*"
CSV_PATTERN = rf"^recipient,message\r?\n({_CSV_ROW}\r?\n)*{_CSV_ROW}(\r?\n)?$"
FILE_CSV_PATTERNS = {
    "peer_to_peer_file": (CSV_PATTERN, "a `recipient,message` header, then one row a recipient "
                          "(messages may be any non-empty text; the pattern shows a simple form)"),
    "file": (rf"^(number\r?\n)?({_NUMBER}\r?\n)*{_NUMBER}(\r?\n)?$",
             "one number a row in the first column; a first row that is not a number is a header "
             "(an XLSX workbook's first sheet is read the same way)"),
    "keyword": (rf"^({_NUMBER},[A-Za-z0-9]+\r?\n)*{_NUMBER},[A-Za-z0-9]+(\r?\n)?$",
                "the number in column A, the cells for {ex_B}, {ex_C}… in B, C… (or an XLSX "
                "workbook whose first sheet is laid out so)"),
}  # fmt: skip

routes = Operations("public")


def with_recipient_items(schema: Any) -> Any:
    """A copy whose recipient arrays state their items' form. The backend checks each item when
    normalizing (cheap for big sends) instead of in JSON Schema; the document says the same."""
    if isinstance(schema, list):
        return [with_recipient_items(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: with_recipient_items(value) for key, value in schema.items()}
    for name in RECIPIENT_LISTS:
        prop = copy.get("properties", {}).get(name)
        if isinstance(prop, dict) and prop.get("type") == "array" and "items" not in prop:
            prop["items"] = {"type": "string", "pattern": MOBILE_PATTERN}
    return copy


def with_shipped_patterns(schema: dict[str, Any]) -> dict[str, Any]:
    """The pattern send as documented: one of the shipped patterns, each with exactly its own
    variables as params. (Patterns added through POST /__sandbox/patterns are accepted too; the
    document describes the seeded start.)"""
    documented = with_recipient_items(schema)
    store = PatternStore()
    store.reset()
    patterns = store.all()
    code = {
        **documented["properties"]["code"],
        "enum": [pattern.code for pattern in patterns],
        "description": "a stored pattern: the shipped ones are listed, patterns added through "
        "POST /__sandbox/patterns work too; any other code is answered 400 400-1",
    }
    param = documented["properties"]["params"]["additionalProperties"]
    variants = [
        {
            "properties": {
                "code": {"const": pattern.code},
                "params": {
                    "type": "object",
                    "required": list(pattern.variables),
                    "properties": dict.fromkeys(pattern.variables, param),
                    "additionalProperties": False,
                },
            }
        }
        for pattern in patterns
    ]
    properties = {**documented["properties"], "code": code}
    return {**documented, "properties": properties, "oneOf": variants}


DOCUMENTED = {"send_pattern": with_shipped_patterns}


class SendBody:
    """JSON checked against `send` and then its sending type's schema, or a multipart form
    with files (FILE_FORMS)."""

    async def read(self, request: web.Request, config: SandboxConfig) -> dict[str, Any] | FileForm:
        content_type = media_type(request)
        if content_type == MULTIPART_CONTENT_TYPE:
            return await read_file_form(request, config, FILE_PARTS)
        if content_type == FORM_CONTENT_TYPE:
            await read_bytes(request, config)
            raise BodyError(BodyProblem.CONTENT_TYPE)
        body = await read_json_object(request, config, optional=False, content_type=content_type)
        check_schema("send", body)
        variant = SEND_VARIANTS.get(body["sending_type"])
        if variant is not None:
            check_schema(variant, body)
        return body

    def document(self, components: Components) -> dict[str, Any]:
        json_variants = [
            {
                "allOf": [
                    components.request(name, DOCUMENTED.get(name, with_recipient_items)),
                    {"required": ["sending_type"]},
                ]
            }
            for name in DOCUMENTED_VARIANTS
        ]
        forms = [self.file_form(components, sending_type) for sending_type in FILE_FORMS]
        return {
            "required": True,
            "content": {
                "application/json": {"schema": {"anyOf": json_variants}},
                "multipart/form-data": {"schema": {"anyOf": forms}},
            },
        }

    @staticmethod
    def file_form(components: Components, sending_type: str) -> dict[str, Any]:
        schema, lists = FILE_FORMS[sending_type]
        pattern, description = FILE_CSV_PATTERNS[sending_type]
        names = [*load_schema("requests", schema)["properties"], *lists, "files"]
        files = {"type": "array", "minItems": 1, "items": {
            "type": "string", "contentMediaType": "text/csv", "pattern": pattern,
            "description": description}}  # fmt: skip
        properties: dict[str, Any] = {"files": files}
        for name in lists:
            properties[name] = {
                "type": "array",
                "items": {"type": "string", "pattern": MOBILE_PATTERN},
            }
        return {"allOf": [components.request(schema), {
            "type": "object", "required": ["sending_type", "files"],
            "propertyNames": {"enum": names}, "properties": properties}]}  # fmt: skip


def file_form_errors(form: FileForm) -> FieldErrors:
    """What is wrong with the form itself (the CSV files are checked when planned)."""
    sending_type = form.fields.get("sending_type", "")
    schema, lists = FILE_FORMS.get(sending_type, FILE_FORMS["peer_to_peer_file"])
    fields = {name: value for name, value in form.fields.items() if name not in lists}
    errors = schema_errors(schema, fields)
    allowed = {"sending_type", *load_schema("requests", schema)["properties"]}
    for name in fields.keys() - allowed:
        collect(errors, name, not_allowed_message(name))
    if sending_type not in FILE_FORMS:
        collect(errors, "sending_type", "مقدار انتخاب شده برای sending_type معتبر نیست")
    if not form.files:
        collect(errors, "files", required_message("files"))
    return errors


@routes.post(
    "/api/send",
    "Send SMS (sending_type selects webservice, peer_to_peer, postal_code, country, "
    "geolocation, job, pattern, votp, phonebook, keyword_phonebook; peer_to_peer_file, file "
    "and keyword as multipart)",
    body=SendBody(),
    response="send",
    errors={
        InvalidFields: (422, "400-2"),
        UnknownPattern: (400, "400-1"),
        RuleBroken: (400, "400-1"),
        NotFound: (404, "404-1"),
    },
)
async def send(call: Call) -> web.Response:
    user, body, remote = call.user, call.body, call.request.remote
    if isinstance(body, FileForm):
        errors = file_form_errors(body)
        other = body.lists.get("other_recipients", [])
        ids = call.backend.send_file(
            user, body.fields, body.files, errors, other_recipients=other, user_ip=remote
        )
    else:
        ids = call.backend.send(user, body, user_ip=remote)
    return ok({"message_outbox_ids": ids})


__all__ = ["MAX_FILE_ROWS", "MSG_BAD_MULTIPART", "SendBody", "routes", "with_recipient_items"]
