"""/api/user/pattern, /api/patterns*: the caller's own patterns (create, list, get by code,
update, delete), reviewed on the sandbox clock. Shared patterns are listed and readable as
`systemic`, read-only ones; `/api/patterns/normal/...` only reaches the caller's own."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ippanel_mock.http.envelope import ok
from ippanel_mock.http.laravel import Filter, LaravelBody, filter_values, page_of, page_params
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.http.params import path
from ippanel_mock.models.errors import InvalidFields, NotFound, RuleBroken, SandboxError
from ippanel_mock.models.patterns import (
    ACCEPTED_COMMENT,
    REJECTED_COMMENT,
    VARIABLE_LEN,
    Pattern,
    PatternDraft,
    Sendable,
    UserPattern,
    Variable,
)

SHARED_OWNER = "ippanel"
SHARED_TIME = 1_735_689_600
"""2025-01-01T00:00:00Z: when the shared patterns claim to have been approved."""
STATUS_FA = {"active": ("فعال", 1), "inactive": ("رد شده", 2), "pending": ("در انتظار بررسی", 0)}
COMMENTS = {"active": ACCEPTED_COMMENT, "inactive": REJECTED_COMMENT, "pending": None}
SAVED_FIELDS = (
    "id", "title", "username", "pattern_code", "pattern_message", "admin_comment",
    "pattern_description", "pattern_status", "pattern_is_share", "reject_text", "type",
    "variable", "delimiter", "updated_at", "time",
    *(f"pattern_{k}_{kind}" for kind in ("revision", "log")
      for k in ("state", "message", "is_share", "description", "delimiter")),
)  # fmt: skip
REVISION_FIELDS = (
    "variable", "pattern_status_id", "pattern_status_fa", "pattern_message",
    "pattern_description", "pattern_is_share", "delimiter",
)  # fmt: skip
CODE = path("pattern_code", {"type": "string", "minLength": 1, "maxLength": 64})
ANSWERS: dict[type[SandboxError], tuple[int, str]] = {
    InvalidFields: (422, "400-2"),
    NotFound: (404, "404-1"),
}
FILTERS = (
    Filter("filter[code]", {"type": "string", "minLength": 1, "maxLength": 64}),
    Filter(
        "filter[title]",
        {"type": "string", "minLength": 1, "maxLength": 200},
        description="a substring",
    ),
    Filter("filter[is_share]", {"type": "string", "enum": ["true", "false", "1", "0"]}),
    Filter("filter[state]", {"type": "string", "enum": ["active", "inactive", "pending"]}),
    Filter("filter[type]", {"type": "string", "enum": ["normal", "systemic"]}),
)

routes = Operations("public")


def draft_of(body: dict[str, Any]) -> PatternDraft:
    variables: dict[str, Variable] = {}
    for item in body["variable"]:
        variables.setdefault(item["name"], Variable(item["name"], item["type"]))
    return PatternDraft(
        description=body["description"],
        message=body["message"],
        is_share=body["is_share"],
        variables=tuple(variables.values()),
        title=body.get("title"),
        website=body.get("website"),
    )


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _facts(pattern: Sendable, now: float) -> dict[str, Any]:
    """What differs between a user's pattern and a shared one."""
    if isinstance(pattern, UserPattern):
        draft = pattern.draft
        return {
            "id": pattern.id,
            "username": pattern.username,
            "user_id": str(pattern.user_id),
            "title": draft.title,
            "description": draft.description,
            "website": draft.website,
            "status": pattern.status(now),
            "is_share": draft.is_share,
            "variable": [{"name": v.name, "type": v.type, "len": v.len} for v in draft.variables],
            "at": pattern.submitted_at,
            "type": "normal",
        }
    return {
        "id": hashlib.md5(pattern.code.encode(), usedforsecurity=False).hexdigest()[:24],
        "username": SHARED_OWNER,
        "user_id": None,
        "title": None,
        "description": "الگوی مشترک سندباکس",
        "website": None,
        "status": "active",
        "is_share": True,
        "variable": [{"name": v, "type": "string", "len": VARIABLE_LEN} for v in pattern.variables],
        "at": SHARED_TIME,
        "type": "systemic",
    }


def record(pattern: Sendable, now: float) -> dict[str, Any]:
    """A pattern as the list and get-by-code answer it."""
    facts = _facts(pattern, now)
    status = facts["status"]
    status_fa, status_id = STATUS_FA[status]
    return {
        "id": facts["id"],
        "partner_id": None,
        "verifier_user_id": None,
        "verifier_partner_id": None,
        "title": facts["title"],
        "username": facts["username"],
        "user_id": facts["user_id"],
        "pattern_code": pattern.code,
        "pattern_message": pattern.text,
        "admin_comment": COMMENTS[status],
        "pattern_description": facts["description"],
        "website": facts["website"],
        "pattern_status": status,
        "pattern_status_fa": status_fa,
        "pattern_status_id": status_id,
        "pattern_is_share": facts["is_share"],
        "reject_text": "",
        "type": "sms",
        "variable": facts["variable"],
        "delimiter": "%",
        "updated_at": _iso(facts["at"]),
        "time": int(facts["at"]),
        "pattern_type": facts["type"],
        "readonly": facts["type"] == "systemic",
        **{
            f"pattern_{k}_{kind}": None
            for kind in ("revision", "log")
            for k in ("state", "message", "is_share", "description", "delimiter", "variable")
        },
        "pattern_type_revision": "",
        "pattern_type_log": None,
        "revision": {"type": "", **dict.fromkeys(REVISION_FIELDS)},
        "pattern_log": None,
    }


def saved(pattern: UserPattern, now: float) -> dict[str, Any]:
    """A pattern as create and update answer it (fewer fields than a read)."""
    full = record(pattern, now)
    return {name: full[name] for name in SAVED_FIELDS}


def _matches(pattern: Sendable, facts: dict[str, Any], wanted: dict[str, Any]) -> bool:
    share = wanted.get("is_share")
    return (
        wanted.get("code", pattern.code) == pattern.code
        and wanted.get("title", "") in (facts["title"] or "")
        and (share is None or (share in ("true", "1")) == facts["is_share"])
        and wanted.get("state", facts["status"]) == facts["status"]
        and wanted.get("type", facts["type"]) == facts["type"]
    )


@routes.post(
    "/api/user/pattern",
    "Create a pattern (pending review)",
    body=LaravelBody("pattern_save"),
    response="pattern_saved",
    errors={**ANSWERS, RuleBroken: (400, "400-1")},
)
@routes.post(
    "/api/patterns/normal",
    "Create a pattern (the path of the docs' curl example)",
    body=LaravelBody("pattern_save"),
    response="pattern_saved",
    errors={**ANSWERS, RuleBroken: (400, "400-1")},
)
async def create(call: Call) -> web.Response:
    now = call.backend.clock.now()
    pattern = call.backend.patterns.submit(call.user, draft_of(call.body), now)
    return ok(saved(pattern, now))


@routes.get(
    "/api/patterns",
    "The caller's patterns (newest first), then the shared ones",
    params=(*page_params(max_per_page=100), *FILTERS),
    response="pattern_list",
    errors=ANSWERS,
)
async def list_patterns(call: Call) -> web.Response:
    wanted = filter_values(call, FILTERS)
    now = call.backend.clock.now()
    patterns = call.backend.patterns
    every: list[Pattern | UserPattern] = [*patterns.own(call.user), *patterns.all()]
    chosen = [p for p in every if _matches(p, _facts(p, now), wanted)]
    return page_of(call, chosen, len(chosen), lambda p: record(p, now))


@routes.get(
    "/api/patterns/{pattern_code}",
    "One pattern by its code (the caller's own or a shared one)",
    params=(CODE,),
    response="pattern",
    errors=ANSWERS,
)
async def get_pattern(call: Call) -> web.Response:
    pattern = call.backend.patterns.visible(call.user, call.request.match_info["pattern_code"])
    return ok(record(pattern, call.backend.clock.now()))


@routes.put(
    "/api/patterns/normal/{pattern_code}",
    "Change one of the caller's patterns (reviewed again)",
    params=(CODE,),
    body=LaravelBody("pattern_save"),
    response="pattern_saved",
    errors=ANSWERS,
)
async def update(call: Call) -> web.Response:
    now = call.backend.clock.now()
    code = call.request.match_info["pattern_code"]
    pattern = call.backend.patterns.revise(call.user, code, draft_of(call.body), now)
    return ok(saved(pattern, now))


@routes.delete(
    "/api/patterns/normal/{pattern_code}",
    "Delete one of the caller's patterns",
    params=(CODE,),
    response="done",
    errors=ANSWERS,
)
async def delete(call: Call) -> web.Response:
    call.backend.patterns.delete(call.user, call.request.match_info["pattern_code"])
    return ok(None)
