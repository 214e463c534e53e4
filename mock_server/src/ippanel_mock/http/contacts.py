"""/api/phonebooks/numbers/*: the numbers (contacts) in the caller's phonebooks: list, show,
store many at once, update, delete, and the export request."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ippanel_mock.http.envelope import created, ok
from ippanel_mock.http.laravel import LaravelBody, filter_values, page_of, page_params
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.http.params import path, query
from ippanel_mock.http.phonebooks import ANSWERS, ID_SCHEMA, MOBILE, iso, path_id
from ippanel_mock.models.errors import invalid
from ippanel_mock.models.phonebooks import (
    MSG_CONTACT_NOT_FOUND,
    Contact,
    ContactFields,
    ContactFilter,
    Phonebook,
)
from ippanel_mock.models.phones import InvalidRecipient, format_number, national_number

CONTACT_ID = path("contact_id", ID_SCHEMA)
FILTERS = (
    query("from_created_at", {"type": "integer", "minimum": 0, "maximum": 32503680000},
          "unix seconds: numbers added at or after it"),
    query("number", {"type": "string", "maxLength": 32, "pattern": f"^{MOBILE}$"},
          "an Iranian mobile number (Persian digits are read too)"),
    query("phonebook_title", {"type": "string", "maxLength": 200}, "a part of the title"),
    query("phonebook_id", ID_SCHEMA),
)  # fmt: skip

routes = Operations("public")


def with_mobile_number(schema: dict[str, Any]) -> dict[str, Any]:
    """As documented: `number` in a form the sandbox reads (it reads Persian digits too)."""
    number = {**schema["properties"]["number"], "pattern": f"^{MOBILE}$"}
    return {**schema, "properties": {**schema["properties"], "number": number}}


def fields_of(item: dict[str, Any]) -> ContactFields:
    return ContactFields(
        number=item["number"],
        pre=item.get("pre", ""),
        name=item.get("name", ""),
        email=item.get("email", ""),
        options=item.get("options", {}),
    )


def render_contact(book: Phonebook, contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.id,
        "phonebook_id": book.id,
        "pre": contact.pre,
        "name": contact.name,
        "email": contact.email,
        "number": format_number(contact.number),
        "created_at": iso(contact.created_at),
        "updated_at": iso(contact.updated_at),
        "phonebook_title": book.title,
    }


def contact_filter(call: Call) -> ContactFilter:
    q = filter_values(call, FILTERS)
    number = q.get("number")
    if number is not None:
        try:
            number = national_number(number)
        except InvalidRecipient:
            raise invalid({"number": ["شماره موبایل معتبر نیست"]}) from None
    return ContactFilter(
        q.get("phonebook_id"), q.get("phonebook_title"), number, q.get("from_created_at")
    )


@routes.get(
    "/api/phonebooks/numbers/contact-list",
    "The numbers in the caller's phonebooks (phonebook by phonebook, in the order they came)",
    params=(*FILTERS, *page_params()),
    response="contact_list",
    errors=ANSWERS,
)
async def list_contacts(call: Call) -> web.Response:
    store = call.backend.phonebooks
    contacts, total = store.contacts(call.user, contact_filter(call))
    books = {b.id: b for b in store.books(call.user)}
    return page_of(call, contacts, total, lambda c: render_contact(books[c.phonebook_id], c))


@routes.get(
    "/api/phonebooks/numbers/contact-list/export",
    "Export numbers by the list's filters (the file: GET /__sandbox/phonebooks/{id}/export)",
    params=FILTERS,
    response="done",
    errors=ANSWERS,
)
async def export_contacts(call: Call) -> web.Response:
    store = call.backend.phonebooks
    for book in contact_filter(call).books(store.books(call.user)):
        book.export_status = 0
    return ok(None)


@routes.get(
    "/api/phonebooks/numbers/contact-list/{contact_id}",
    "One number of the caller's phonebooks",
    params=(CONTACT_ID,),
    response="contact",
    errors=ANSWERS,
)
async def show_contact(call: Call) -> web.Response:
    contact_id = path_id(call, "contact_id", MSG_CONTACT_NOT_FOUND)
    book, contact = call.backend.phonebooks.contact(call.user, contact_id)
    shown = render_contact(book, contact)
    return ok({**shown, "is_send_blacklist": False, "is_receive_blacklist": False, "tags": []})


@routes.post(
    "/api/phonebooks/numbers/add-list-new",
    "Store numbers in the caller's phonebooks (counts what was added, bad, already there)",
    body=LaravelBody("contact_store"),
    response="contact_store",
    status=201,
    errors=ANSWERS,
)
async def store_contacts(call: Call) -> web.Response:
    items = ((int(item["phonebook_id"]), fields_of(item)) for item in call.body["list"])
    outcome = call.backend.phonebooks.add_contacts(call.user, items)
    return created(
        {"added": outcome.added, "errors": outcome.errors, "existences": outcome.existences}
    )


@routes.put(
    "/api/phonebooks/numbers/update-new/{contact_id}",
    "Change a number of the caller's phonebooks (or move it to another of them)",
    params=(CONTACT_ID,),
    body=LaravelBody("contact_update", documented=with_mobile_number),
    response="done",
    errors=ANSWERS,
)
async def update_contact(call: Call) -> web.Response:
    contact_id = path_id(call, "contact_id", MSG_CONTACT_NOT_FOUND)
    body = call.body
    store = call.backend.phonebooks
    store.update_contact(call.user, contact_id, int(body["phonebook_id"]), fields_of(body))
    return ok(None)


@routes.post(
    "/api/phonebooks/numbers/delete-list",
    "Delete numbers from the caller's phonebooks",
    body=LaravelBody("contact_delete"),
    response="done",
    errors=ANSWERS,
)
async def delete_contacts(call: Call) -> web.Response:
    call.backend.phonebooks.delete_contacts(call.user, map(int, call.body["listNumbers"]))
    return ok(None)
