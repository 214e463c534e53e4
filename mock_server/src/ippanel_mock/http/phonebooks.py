"""/api/phonebooks*: the caller's phonebooks and their options (custom fields), importing a
file into a phonebook, and the export and sample requests (answered as documented: the file
itself is read back through the admin API)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.body import (
    MULTIPART_CONTENT_TYPE,
    BodyError,
    BodyProblem,
    read_bytes,
    read_file_form,
)
from ippanel_mock.http.body_specs import Components
from ippanel_mock.http.envelope import ok
from ippanel_mock.http.laravel import LaravelBody, filter_values, page_of, page_params
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.http.params import path, query
from ippanel_mock.models.errors import (
    FieldErrors,
    InvalidFields,
    NotFound,
    RuleBroken,
    SandboxError,
    collect,
    invalid,
)
from ippanel_mock.models.phonebook_files import import_file
from ippanel_mock.models.phonebooks import (
    MSG_OPTION_NOT_FOUND,
    MSG_PHONEBOOK_NOT_FOUND,
    Option,
    Phonebook,
    PhonebookStore,
)
from ippanel_mock.models.users import User
from ippanel_mock.models.wording import not_allowed_message, required_attribute

ANSWERS: dict[type[SandboxError], tuple[int, str]] = {
    InvalidFields: (422, "400-2"),
    NotFound: (404, "404-1"),
    RuleBroken: (400, "400-1"),
}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 10**15}
PHONEBOOK_ID = path("phonebook_id", ID_SCHEMA)
OPTION_ID = path("option_id", ID_SCHEMA)
MOBILE = r"(\+98|0098|98|0)?9[0-9]{9}"
IMPORT_PATTERN = rf"^number\r?\n({MOBILE}\r?\n)*{MOBILE}(\r?\n)?$"
TITLE_FILTER = query("title", {"type": "string", "maxLength": 200}, "a part of the title")
PHONEBOOK_FILTERS = (TITLE_FILTER, query("id", ID_SCHEMA))
OPTION_FILTERS = (
    query("type", {"type": "string", "enum": ["int", "string", "date"]}),
    TITLE_FILTER,
)

routes = Operations("public")


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def path_id(call: Call, name: str, missing: str) -> int:
    """A numeric path segment; anything else names nothing (404)."""
    raw = call.request.match_info[name]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise NotFound(missing)
    return int(raw)


def render_option(option: Option) -> dict[str, Any]:
    return {
        "id": option.id,
        "title": option.title,
        "type": option.type,
        "created_at": iso(option.created_at),
    }


def render_phonebook(store: PhonebookStore, user: User, book: Phonebook) -> dict[str, Any]:
    options = [store.option_of(user, i) for i in book.option_ids]
    return {
        "id": book.id,
        "title": book.title,
        "count": book.size,
        "export_status": book.export_status,
        "import_status": book.import_status,
        "created_at": iso(book.created_at),
        "updated_at": iso(book.updated_at),
        "options": [
            {"id": o.id, "title": o.title, "type": o.type} for o in options if o is not None
        ],
    }


def the_phonebook(call: Call) -> Phonebook:
    phonebook_id = path_id(call, "phonebook_id", MSG_PHONEBOOK_NOT_FOUND)
    return call.backend.phonebooks.book(call.user, phonebook_id)


# -- phonebooks ----------------------------------------------------------------------------


@routes.get(
    "/api/phonebooks/list-new",
    "The caller's phonebooks",
    params=(*page_params(), *PHONEBOOK_FILTERS),
    response="phonebook_list",
    errors=ANSWERS,
)
async def list_phonebooks(call: Call) -> web.Response:
    chosen = filter_values(call, PHONEBOOK_FILTERS)
    store, title, wanted = call.backend.phonebooks, chosen.get("title"), chosen.get("id")
    books = [
        b
        for b in store.books(call.user)
        if (title is None or title in b.title) and wanted in (None, b.id)
    ]
    return page_of(call, books, len(books), lambda b: render_phonebook(store, call.user, b))


@routes.post(
    "/api/phonebooks",
    "Create a phonebook",
    body=LaravelBody("phonebook_store"),
    response="phonebook",
    errors=ANSWERS,
)
async def create_phonebook(call: Call) -> web.Response:
    store, body = call.backend.phonebooks, call.body
    book = store.create(call.user, body["title"], map(int, body.get("options", ())))
    created = render_phonebook(store, call.user, book)
    del created["updated_at"]
    return ok({**created, "count": str(created["count"])})  # as documented: "0"


@routes.put(
    "/api/phonebooks/{phonebook_id}",
    "Change a phonebook's title or options",
    params=(PHONEBOOK_ID,),
    body=LaravelBody("phonebook_update"),
    response="done",
    errors=ANSWERS,
)
async def update_phonebook(call: Call) -> web.Response:
    body, store = call.body, call.backend.phonebooks
    book = the_phonebook(call)
    options = map(int, body["options"]) if "options" in body else None
    store.update(call.user, book.id, body.get("title"), options)
    return ok(None)


@routes.post(
    "/api/phonebooks/delete-list",
    "Delete phonebooks with their numbers",
    body=LaravelBody("phonebook_delete"),
    response="done",
    errors=ANSWERS,
)
async def delete_phonebooks(call: Call) -> web.Response:
    call.backend.phonebooks.delete(call.user, map(int, call.body["listPhonebooks"]))
    return ok(None)


# -- import, export, sample ----------------------------------------------------------------


class ImportBody:
    """A multipart form with one `file` part (the phonebook file, models/phonebook_files.py)."""

    async def read(self, request: web.Request, config: SandboxConfig) -> bytes:
        if request.content_type != MULTIPART_CONTENT_TYPE:
            await read_bytes(request, config)
            raise BodyError(BodyProblem.CONTENT_TYPE)
        form = await read_file_form(request, config, ("file",))
        errors: FieldErrors = {}
        for name in form.fields:
            collect(errors, name, not_allowed_message(name))
        if len(form.files) != 1:
            collect(errors, "file", required_attribute("file") if not form.files else
                    "فقط یک فایل بفرستید")  # fmt: skip
        if errors:
            raise invalid(errors)
        return form.files[0]

    def document(self, components: Components) -> dict[str, Any]:
        file = {
            "type": "string",
            "contentMediaType": "text/csv",
            "pattern": IMPORT_PATTERN,
            "description": "CSV: a header (number, and optionally pre, name, email and the "
            "phonebook's option ids), then one contact a row (the pattern shows a simple form)",
        }
        schema = {
            "type": "object",
            "required": ["file"],
            "properties": {"file": file},
            "propertyNames": {"enum": ["file"]},
        }
        return {"required": True, "content": {MULTIPART_CONTENT_TYPE: {"schema": schema}}}


@routes.post(
    "/api/phonebooks/{phonebook_id}/import",
    "Add the numbers of a file to a phonebook (every row, or none)",
    params=(PHONEBOOK_ID,),
    body=ImportBody(),
    response="done",
    errors=ANSWERS,
)
async def import_numbers(call: Call) -> web.Response:
    import_file(call.backend.phonebooks, call.user, the_phonebook(call), call.body)
    return ok(None)


@routes.get(
    "/api/phonebooks/{phonebook_id}/import/get-sample",
    "The import sample of a phonebook (answered as documented; the format is in the README)",
    params=(PHONEBOOK_ID,),
    response="done",
    errors=ANSWERS,
)
async def import_sample(call: Call) -> web.Response:
    the_phonebook(call)
    return ok(None)


@routes.get(
    "/api/phonebooks/{phonebook_id}/export",
    "Export a phonebook's members (the file: GET /__sandbox/phonebooks/{id}/export)",
    params=(PHONEBOOK_ID,),
    response="done",
    errors=ANSWERS,
)
async def export_members(call: Call) -> web.Response:
    the_phonebook(call).export_status = 0
    return ok(None)


# -- options -------------------------------------------------------------------------------


@routes.get(
    "/api/phonebooks/options/list-new",
    "The caller's options (custom fields of phonebook contacts)",
    params=(*page_params(), *OPTION_FILTERS),
    response="option_list",
    errors=ANSWERS,
)
async def list_options(call: Call) -> web.Response:
    chosen = filter_values(call, OPTION_FILTERS)
    kind, title = chosen.get("type"), chosen.get("title")
    options = [
        o
        for o in call.backend.phonebooks.options(call.user)
        if kind in (None, o.type) and (title is None or title in o.title)
    ]
    return page_of(call, options, len(options), render_option)


@routes.post(
    "/api/phonebooks/options",
    "Create an option (int, string or date)",
    body=LaravelBody("option_store"),
    response="option",
    errors=ANSWERS,
)
async def create_option(call: Call) -> web.Response:
    body = call.body
    option = call.backend.phonebooks.add_option(call.user, body["title"], body["type"])
    return ok(render_option(option))


@routes.put(
    "/api/phonebooks/options/{option_id}",
    "Rename an option",
    params=(OPTION_ID,),
    body=LaravelBody("option_update"),
    response="option_update",
    errors=ANSWERS,
)
async def rename_option(call: Call) -> web.Response:
    option_id = path_id(call, "option_id", MSG_OPTION_NOT_FOUND)
    call.backend.phonebooks.rename_option(call.user, option_id, call.body.get("title"))
    return ok(True)


@routes.post(
    "/api/phonebooks/options/delete-list",
    "Delete options (from every phonebook too)",
    body=LaravelBody("option_delete"),
    response="done",
    errors=ANSWERS,
)
async def delete_options(call: Call) -> web.Response:
    call.backend.phonebooks.delete_options(call.user, map(int, call.body["listOptions"]))
    return ok(None)
