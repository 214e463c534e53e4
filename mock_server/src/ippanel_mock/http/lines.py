"""/api/number/numbers, /api/numbers/{assign,unassign}: the caller's sender lines, and handing
a line the caller holds to a user or taking it back."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ippanel_mock.http.envelope import ok
from ippanel_mock.http.laravel import LaravelBody, page_of, page_params
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.models.errors import InvalidFields, NotFound, RuleBroken
from ippanel_mock.models.lines import LineChange, SenderLine
from ippanel_mock.models.users import LineGrant

CHANGE_ERRORS = {
    InvalidFields: (422, "400-2"),
    NotFound: (404, "404-1"),
    RuleBroken: (400, "400-1"),
}

routes = Operations("public")


def each_named(schema: dict[str, Any]) -> dict[str, Any]:
    """As documented: the line by `number_id` or `number`, the user by `target_user_id` or
    `target_user` (the model answers a body naming neither with both fields' errors)."""
    either = [
        {"anyOf": [{"required": ["number_id"]}, {"required": ["number"]}]},
        {"anyOf": [{"required": ["target_user_id"]}, {"required": ["target_user"]}]},
    ]
    return {**schema, "allOf": either}


def change_of(body: dict[str, Any]) -> LineChange:
    return LineChange(
        number_id=body.get("number_id"),
        number=body.get("number"),
        target_user_id=body.get("target_user_id"),
        target_user=body.get("target_user"),
        grant=LineGrant(send=body.get("send", True), gets=body.get("gets", True)),
    )


def render_line(held: tuple[SenderLine, LineGrant]) -> dict[str, Any]:
    line, grant = held
    return {
        "id": line.id,
        "number": line.number,
        "operator_id": line.operator_id,
        "alias": None,
        "gets": int(grant.gets),
        "is_66_char": 0,
    }


@routes.get(
    "/api/number/numbers",
    "The sender lines the caller holds",
    params=page_params(),
    response="line_list",
)
async def list_lines(call: Call) -> web.Response:
    held = call.backend.lines.held_by(call.user)
    return page_of(call, held, len(held), render_line)


@routes.post(
    "/api/numbers/assign",
    "Give a line the caller holds to a user",
    body=LaravelBody("line_assign", documented=each_named),
    response="done",
    errors=CHANGE_ERRORS,
)
async def assign(call: Call) -> web.Response:
    call.backend.lines.assign(call.user, change_of(call.body))
    return ok(None)


@routes.post(
    "/api/numbers/unassign",
    "Take a line the caller holds back from a user",
    body=LaravelBody("line_unassign", documented=each_named),
    response="done",
    errors=CHANGE_ERRORS,
)
async def unassign(call: Call) -> web.Response:
    call.backend.lines.unassign(call.user, change_of(call.body))
    return ok(None)
