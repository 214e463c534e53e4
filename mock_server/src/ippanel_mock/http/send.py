"""POST /api/send: JSON for every sending type, multipart CSV files for `peer_to_peer_file`.

The route reads and shapes the request; SandboxBackend.send / send_file plan and make the bulks.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ippanel_mock.http.body import (
    FORM_CONTENT_TYPE,
    MULTIPART_CONTENT_TYPE,
    BodyError,
    BodyProblem,
    FileForm,
    check_schema,
    read_bytes,
    read_file_form,
    read_json_object,
)
from ippanel_mock.http.envelope import MSG_BAD_MULTIPART, ok
from ippanel_mock.http.operations import Call, Components, Operations
from ippanel_mock.http.validation import load_schema, schema_errors
from ippanel_mock.models.errors import (
    FieldErrors,
    InvalidFields,
    NotFound,
    RuleBroken,
    UnknownPattern,
    collect,
)
from ippanel_mock.models.sending import MAX_FILE_ROWS
from ippanel_mock.models.wording import not_allowed_message, required_message

FILE_PARTS = ("files[]", "files")
FILE_FORM_FIELDS = {"sending_type", "from_number", "send_time"}
SEND_VARIANTS = {
    "normal": "send_webservice",
    "webservice": "send_webservice",
    "peer_to_peer": "send_peer_to_peer",
    "postal_code": "send_postal_code",
    "pattern": "send_pattern",
    "votp": "send_votp",
    "phonebook": "send_phonebook",
    "keyword_phonebook": "send_keyword_phonebook",
}
"""The schema each JSON sending type must also meet (peer_to_peer_file needs multipart)."""
DOCUMENTED_VARIANTS = tuple(dict.fromkeys(SEND_VARIANTS.values()))

MOBILE_PATTERN = r"^(\+98|0098|98|0)?9[0-9]{9}$"
RECIPIENT_LISTS = ("recipients", "other_recipients")
_CSV_ROW = r"(\+98|0098|98|0)?9[0-9]{9},[A-Za-z0-9 ]*[A-Za-z0-9][A-Za-z0-9 ]*"
CSV_PATTERN = rf"^recipient,message\r?\n({_CSV_ROW}\r?\n)*{_CSV_ROW}(\r?\n)?$"

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


class SendBody:
    """JSON checked against `send` and then its sending type's schema, or a multipart CSV form."""

    async def read(self, request: web.Request, limit: int) -> dict[str, Any] | FileForm:
        content_type = request.content_type
        if content_type == MULTIPART_CONTENT_TYPE:
            return await read_file_form(request, limit, FILE_PARTS)
        if content_type == FORM_CONTENT_TYPE:
            await read_bytes(request, limit)
            raise BodyError(BodyProblem.CONTENT_TYPE)
        body = await read_json_object(request, limit, optional=False)
        check_schema("send", body)
        variant = SEND_VARIANTS.get(body["sending_type"])
        if variant is not None:
            check_schema(variant, body)
        return body

    def document(self, components: Components) -> dict[str, Any]:
        json_variants = [
            {
                "allOf": [
                    components.request(name, with_recipient_items),
                    {"required": ["sending_type"]},
                ]
            }
            for name in DOCUMENTED_VARIANTS
        ]
        form_fields = load_schema("requests", "send_peer_to_peer_file")
        file_form = {
            "allOf": [
                components.request("send_peer_to_peer_file", with_recipient_items),
                {
                    "type": "object",
                    "required": ["sending_type", "files"],
                    "propertyNames": {"enum": [*form_fields["properties"], "files"]},
                    "properties": {
                        "files": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "string",
                                "contentMediaType": "text/csv",
                                "pattern": CSV_PATTERN,
                                "description": "a `recipient,message` header, then one row a "
                                "recipient (messages may be any non-empty text; the pattern "
                                "shows a simple form)",
                            },
                        }
                    },
                },
            ]
        }
        return {
            "required": True,
            "content": {
                "application/json": {"schema": {"anyOf": json_variants}},
                "multipart/form-data": {"schema": file_form},
            },
        }


def file_form_errors(form: FileForm) -> FieldErrors:
    """What is wrong with the form itself (the CSV files are checked when planned)."""
    errors = schema_errors("send_peer_to_peer_file", form.fields)
    for name in form.fields.keys() - FILE_FORM_FIELDS:
        collect(errors, name, not_allowed_message(name))
    if form.fields.get("sending_type") != "peer_to_peer_file":
        collect(errors, "sending_type", "مقدار انتخاب شده برای sending_type معتبر نیست")
    if not form.files:
        collect(errors, "files", required_message("files"))
    return errors


@routes.post(
    "/api/send",
    "Send SMS (sending_type selects webservice, peer_to_peer, postal_code, pattern, votp, "
    "phonebook, keyword_phonebook, peer_to_peer_file as multipart)",
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
        ids = call.backend.send_file(user, body.fields, body.files, errors, user_ip=remote)
    else:
        ids = call.backend.send(user, body, user_ip=remote)
    return ok({"message_outbox_ids": ids})


__all__ = ["MAX_FILE_ROWS", "MSG_BAD_MULTIPART", "SendBody", "routes", "with_recipient_items"]
