"""/api/user/draft*: draft groups and the drafts in them, the caller's own."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ippanel_mock.http.envelope import ok
from ippanel_mock.http.laravel import Filter, LaravelBody, filter_values, page_of, page_params
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.models.drafts import Draft, DraftGroup
from ippanel_mock.models.errors import InvalidFields, NotFound, RuleBroken, SandboxError

INVALID: dict[type[SandboxError], tuple[int, str]] = {InvalidFields: (422, "400-2")}
NOT_FOUND = {**INVALID, NotFound: (404, "404-1")}
GROUP_FILTER = Filter(
    "draft_group_id",
    {"type": "integer", "minimum": 1, "maximum": 10**15},
    description="only this group's drafts (leave it out for all; empty is refused)",
)

routes = Operations("public")


def render_group(group: DraftGroup) -> dict[str, Any]:
    return {
        "title": group.title,
        "draft_group_id": group.id,
        "user_id": group.user_id,
        "time": group.time,
    }


def render_draft(draft: Draft) -> dict[str, Any]:
    return {
        "draft_group_id": draft.group_id,
        "user_id": draft.user_id,
        "draft_id": draft.id,
        "time": draft.time,
        "message": draft.message,
        "type": "normal",
    }


@routes.post(
    "/api/user/draft/group",
    "Create a draft group (at most 20)",
    body=LaravelBody("draft_group_store"),
    response="done",
    errors={**INVALID, RuleBroken: (400, "400-1")},
)
async def create_group(call: Call) -> web.Response:
    call.backend.drafts.add_group(call.user, call.body["title"])
    return ok(None)


@routes.get(
    "/api/user/draft/group/list",
    "The caller's draft groups",
    params=page_params(max_per_page=100),
    response="draft_group_list",
)
async def list_groups(call: Call) -> web.Response:
    groups = call.backend.drafts.groups(call.user)
    return page_of(call, groups, len(groups), render_group)


@routes.put(
    "/api/user/draft/group",
    "Rename a draft group",
    body=LaravelBody("draft_group_update"),
    response="done",
    errors=NOT_FOUND,
)
async def rename_group(call: Call) -> web.Response:
    body = call.body
    call.backend.drafts.rename_group(call.user, int(body["draft_group_id"]), body["title"])
    return ok(None)


@routes.post(
    "/api/user/draft/group/delete",
    "Delete a draft group and its drafts",
    body=LaravelBody("draft_group_delete"),
    response="done",
    errors=NOT_FOUND,
)
async def delete_group(call: Call) -> web.Response:
    call.backend.drafts.delete_group(call.user, int(call.body["draft_group_id"]))
    return ok(None)


@routes.post(
    "/api/user/draft",
    "Create a draft in a group (at most 200)",
    body=LaravelBody("draft_store"),
    response="done",
    errors={**NOT_FOUND, RuleBroken: (400, "400-1")},
)
async def create_draft(call: Call) -> web.Response:
    body = call.body
    call.backend.drafts.add_draft(call.user, int(body["draft_group_id"]), body["message"])
    return ok(None)


@routes.get(
    "/api/user/draft/list",
    "The caller's drafts, of one group or all",
    params=(GROUP_FILTER, *page_params(max_per_page=200)),
    response="draft_list",
    errors=INVALID,
)
async def list_drafts(call: Call) -> web.Response:
    group_id = filter_values(call, (GROUP_FILTER,)).get("draft_group_id")
    drafts = call.backend.drafts.drafts(call.user, group_id)
    return page_of(call, drafts, len(drafts), render_draft)


@routes.put(
    "/api/user/draft",
    "Change a draft's message",
    body=LaravelBody("draft_update"),
    response="done",
    errors=NOT_FOUND,
)
async def edit_draft(call: Call) -> web.Response:
    body = call.body
    call.backend.drafts.edit_draft(call.user, int(body["draft_id"]), body["message"])
    return ok(None)


@routes.post(
    "/api/user/draft/delete",
    "Delete drafts (all named, or none when one is not found)",
    body=LaravelBody("draft_delete"),
    response="done",
    errors=NOT_FOUND,
)
async def delete_drafts(call: Call) -> web.Response:
    call.backend.drafts.delete_drafts(call.user, map(int, call.body["draft_ids"]))
    return ok(None)
