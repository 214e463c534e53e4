"""Request bodies of the later edition's management endpoints (patterns, phonebooks, sender
lines, drafts), refused in that edition's own words.

They are read and judged like every body (http/body.py, the schema files), but the later
edition words its 422s as Laravel does: a required field is named by its path with spaces for
underscores (`draft_group_id` -> "draft group id"), or by the `title` its schema gives it (a
phonebook's `title` reads "عنوان"), and the top message adds "(و N خطای دیگر)" when N more
problems follow. Routes using it declare `InvalidFields: (422, "400-2")`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from aiohttp import web

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.body import read_json_object
from ippanel_mock.http.body_specs import Components, json_content
from ippanel_mock.http.envelope import paginated
from ippanel_mock.http.operations import Call
from ippanel_mock.http.params import Param, query
from ippanel_mock.http.validation import is_valid, load_schema, schema_errors
from ippanel_mock.models.errors import FieldErrors, InvalidFields, invalid
from ippanel_mock.models.wording import attribute, label, required_attribute, required_message

T = TypeVar("T")


@cache
def _titles(schema: str) -> Mapping[str, str]:
    properties = load_schema("requests", schema).get("properties", {})
    return {name: prop["title"] for name, prop in properties.items() if "title" in prop}


@cache
def _order(schema: str) -> Mapping[str, int]:
    return {name: i for i, name in enumerate(load_schema("requests", schema).get("properties", {}))}


def laravel_errors(schema: str, instance: Any) -> InvalidFields:
    """The schema's field errors, each naming its field as the later edition does, summarized.

    The core words a required field by its own name (`required_message(leaf)`) and every other
    problem by `label(field)`; both are swapped for the endpoint's name of the field. Fields
    come in the order the schema lists them, as Laravel reports its rules.
    """
    titles, order = _titles(schema), _order(schema)
    found = schema_errors(schema, instance)
    fields: FieldErrors = {}
    for field in sorted(found, key=lambda f: order.get(f.split(".", 1)[0], len(order))):
        messages = found[field]
        own = titles.get(field, attribute(field))
        required, core = required_message(field.rsplit(".", 1)[-1]), label(field)
        fields[field] = [
            required_attribute(own) if message == required else message.replace(core, own, 1)
            for message in messages
        ]
    return invalid(fields)


@dataclass(frozen=True, slots=True)
class LaravelBody:
    """A JSON object checked against `schema` (schemas/requests/<schema>.json)."""

    schema: str
    documented: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """A copy of the schema as the document shows it, where it says more than the check
    (a rule the model words itself, such as "number_id or number")."""

    async def read(self, request: web.Request, config: SandboxConfig) -> dict[str, Any]:
        body = await read_json_object(request, config, optional=False)
        if not is_valid(self.schema, body):
            raise laravel_errors(self.schema, body)
        return body

    def document(self, components: Components) -> dict[str, Any]:
        ref = components.request(self.schema, self.documented)
        return {"required": True, "content": json_content(ref)}


# -- Laravel's paginator -------------------------------------------------------------------

MAX_PAGE = 10**9


def page_params(*, per_page: int = 10, max_per_page: int = 1000) -> tuple[Param, Param]:
    """`page` (from 1) and `per_page` (default and most as the endpoint's docs say)."""
    return (
        query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
        query(
            "per_page",
            {"type": "integer", "minimum": 1, "maximum": max_per_page, "default": per_page},
        ),
    )


def page_of(call: Call, items: Iterable[T], total: int, render: Callable[[T], Any]) -> web.Response:
    """The requested page of `items` (rendered one by one; only the page is built)."""
    page, per_page = call.query["page"], call.query["per_page"]
    start = (page - 1) * per_page
    rows = [render(item) for item in itertools.islice(items, start, start + per_page)]
    return paginated(rows, page=page, per_page=per_page, total=total, path=call.request.path)


@dataclass(frozen=True, slots=True)
class Filter(Param):
    """An optional query filter that the docs say to leave out rather than send empty: read
    with `filter_values`, an empty one is refused with the field's required error."""

    def document(self) -> dict[str, Any]:
        doc = Param.document(self)
        doc.pop("allowEmptyValue", None)
        return doc


def filter_values(call: Call, filters: Iterable[Param]) -> dict[str, Any]:
    """The query filters given, checked against what their schemas say beyond the type (enum,
    maxLength) and keyed by name (`filter[code]` is `code`); each bad one is a 422 naming it.
    An empty one is absent, except a `Filter`, which is refused with its required error."""
    values: dict[str, Any] = {}
    fields: FieldErrors = {}
    for param in filters:
        name = param.name.removeprefix("filter[").removesuffix("]")
        value = call.query.get(param.name)
        most = param.schema.get("maxLength")
        if isinstance(param, Filter) and call.request.query.get(param.name) == "":
            fields[name] = [required_attribute(attribute(name))]
        elif value is None:
            continue
        elif value not in param.schema.get("enum", (value,)):
            fields[name] = [f"مقدار انتخاب شده برای {attribute(name)} معتبر نیست"]
        elif isinstance(value, str) and most is not None and len(value) > most:
            fields[name] = [f"گزینه {attribute(name)} نباید بیشتر از {most} نویسه باشد"]
        else:
            values[name] = value
    if fields:
        raise invalid(fields)
    return values
