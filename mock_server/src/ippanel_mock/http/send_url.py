"""GET /api/send/webservice: one SMS to one number, everything in the query string.

For devices and scripts that can only open a URL. The caller authenticates in the URL, with an
API key or a username and password (not both); every parameter has the alternative names
IPPanel documents. The send itself is a `webservice` send: captured, priced, with a lifecycle.
"""

from __future__ import annotations

from aiohttp import web

from ippanel_mock.http.envelope import ok, unauthorized
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.http.params import query
from ippanel_mock.models.errors import FieldErrors, InvalidFields, collect
from ippanel_mock.models.phones import InvalidRecipient, normalize_recipient
from ippanel_mock.models.wording import not_allowed_message, required_message

ALIASES: dict[str, tuple[str, ...]] = {
    "apikey": ("api_key", "apikey", "apiKey", "x-api-key", "ApiKey", "api-key", "key",
               "access_key", "accessKey", "auth_key", "authorization", "token", "secret",
               "api_token"),
    "from": ("From", "from", "sender", "src", "source", "from_number", "sender_number", "origin",
             "originator", "caller", "caller_id", "sms_from", "fromNum"),
    "message": ("Message", "message", "msg", "text", "txt", "body", "content", "sms",
                "message_body", "messageText"),
    "to": ("To", "to", "recipient", "dst", "destination", "to_number", "recipient_number",
           "target", "receiver"),
    "username": ("UserName", "username", "uname", "user", "login", "user_name", "userid",
                 "userName"),
    "password": ("Password", "password", "pass", "passwd", "pwd", "user_password", "passcode",
                 "login_password", "auth_pass", "user_pass", "access_password"),
}  # fmt: skip
"""IPPanel's alternative names, each given to one parameter: the documentation also lists
`to_number`, `recipient_number`, `target` and `receiver` under username and `secret` under
password; here they mean the recipient and the API key."""
CANONICAL = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
TEXT = {"type": "string", "minLength": 1}
SCHEMAS = {
    "from": {"type": "string", "pattern": r"^\+?98[0-9A-Za-z]{1,29}$"},
    "to": {"type": "string", "pattern": r"^(\+98|0098|98|0)?9[0-9]{9}$"},
}
DESCRIPTIONS = {
    "apikey": "API key (or a login token); or give username and password",
    "from": "sender line, e.g. +983000505 (a + read as a space is put back)",
    "message": "the text",
    "to": "one recipient, e.g. +989120000000",
    "username": "with password, instead of apikey (accounts without two-factor login only)",
    "password": "with username",
}
MAX_SENDER = 32
MSG_BOTH_CREDENTIALS = "فقط یکی از کلید API یا نام کاربری و گذرواژه را بفرستید"

routes = Operations("public")


def parameters(call: Call) -> dict[str, str]:
    """Each parameter's value under any of its names; unknown names and two different values
    for one parameter are refused."""
    values: dict[str, set[str]] = {}
    errors: FieldErrors = {}
    for alias, value in call.request.query.items():
        name = CANONICAL.get(alias)
        if name is None:
            collect(errors, alias, not_allowed_message(alias))
        else:
            values.setdefault(name, set()).add(value.strip())
    for name, given in values.items():
        if len(given) > 1:
            collect(errors, name, f"گزینه {name} بیش از یک مقدار دارد")
    if errors:
        raise InvalidFields(errors)
    return {name: given.pop() for name, given in values.items() if given != {""}}


@routes.get(
    "/api/send/webservice",
    "Send one SMS with everything in the URL (API key or username and password in the query)",
    params=tuple(query(name, SCHEMAS.get(name, TEXT), DESCRIPTIONS[name]) for name in ALIASES),
    response="send",
    errors={InvalidFields: (422, "400-2")},
    statuses=(401,),
    auth=False,
)
async def send_by_url(call: Call) -> web.Response:
    given = parameters(call)
    key, username, password = given.get("apikey"), given.get("username"), given.get("password")
    if key is not None and (username is not None or password is not None):
        raise InvalidFields({"apikey": [MSG_BOTH_CREDENTIALS]})
    backend = call.backend
    if key is not None:
        user = backend.users.authenticate(key)
    elif username is not None and password is not None:
        user = backend.password_caller(username, password)
    else:
        user = None
    if user is None:
        raise unauthorized()
    errors: FieldErrors = {}
    for name in ("from", "message", "to"):
        if name not in given:
            collect(errors, name, required_message(name))
    sender = given.get("from", "")
    if sender and not sender.startswith("+"):
        sender = "+" + sender
    if sender and not (sender.startswith("+98") and len(sender) <= MAX_SENDER):
        collect(errors, "from", "قالب گزینه شماره فرستنده معتبر نیست")
    try:
        recipient = normalize_recipient(given.get("to", ""))
    except InvalidRecipient:
        recipient = ""
        if "to" in given:
            collect(errors, "to", "شماره گیرنده معتبر نیست")
    if errors:
        raise InvalidFields(errors)
    body = {
        "sending_type": "webservice",
        "from_number": sender,
        "message": given["message"],
        "params": {"recipients": [recipient]},
    }
    return ok({"message_outbox_ids": backend.send(user, body, user_ip=call.request.remote)})
