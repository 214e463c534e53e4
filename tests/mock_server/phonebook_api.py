"""Calls of the phonebook endpoints shared by their tests (each answer checked against the
shipped schema by `Api.call`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import FormData

if TYPE_CHECKING:
    from sandbox_api import Api


async def new_option(api: Api, title: str = "تاریخ تولد", kind: str = "date") -> int:
    _, body = await api.call("option", "POST", "/api/phonebooks/options",
                             json={"type": kind, "title": title}, expect=200)  # fmt: skip
    option_id: int = body["data"]["id"]
    return option_id


async def new_phonebook(api: Api, title: str = "تست", options: list[Any] | None = None) -> int:
    body = {"title": title, "options": options or []}
    _, answer = await api.call("phonebook", "POST", "/api/phonebooks", json=body, expect=200)
    phonebook_id: int = answer["data"]["id"]
    return phonebook_id


async def store(api: Api, items: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    status, body = await api.call("contact_store", "POST", "/api/phonebooks/numbers/add-list-new",
                                  json={"list": items}, **kw)  # fmt: skip
    if status == 201:
        assert body["meta"]["message_code"] == "201-1"
    outcome: dict[str, Any] = body["data"] if status == 201 else body["meta"]
    return outcome


async def contacts(api: Api, **params: Any) -> list[dict[str, Any]]:
    _, body = await api.call("contact_list", "GET", "/api/phonebooks/numbers/contact-list",
                             params={k: str(v) for k, v in params.items()}, expect=200)  # fmt: skip
    rows: list[dict[str, Any]] = body["data"]
    return rows


async def numbers(api: Api, phonebook_id: int) -> list[str]:
    return [c["number"] for c in await contacts(api, phonebook_id=phonebook_id, per_page=1000)]


def csv_form(content: bytes | str, name: str = "file") -> FormData:
    form = FormData(default_to_multipart=True)
    raw = content.encode() if isinstance(content, str) else content
    form.add_field(name, raw, filename="book.csv", content_type="text/csv")
    return form


async def import_csv(api: Api, phonebook_id: int, content: bytes | str, expect: int) -> Any:
    _, body = await api.call("done", "POST", f"/api/phonebooks/{phonebook_id}/import",
                             data=csv_form(content), expect=expect)  # fmt: skip
    return body["meta"]


async def exported(api: Api, phonebook_id: int) -> str:
    response = await api.client.get(f"/__sandbox/phonebooks/{phonebook_id}/export")
    assert response.status == 200
    assert response.content_type == "text/csv"
    return await response.text()
