"""Admin API, phonebooks: every user's phonebooks, and a phonebook as the file an import reads
(what the public export endpoints would have produced), streamed."""

from __future__ import annotations

import csv
import io

from aiohttp import web

from ippanel_mock.http.admin_common import ADMIN_PREFIX
from ippanel_mock.http.operations import AdminError, Call, Operations, json_response
from ippanel_mock.http.params import path, query
from ippanel_mock.models.phonebook_files import export_rows

ROWS_PER_WRITE = 1_000

routes = Operations("admin")


@routes.get(
    ADMIN_PREFIX + "/phonebooks",
    "Every phonebook, or one user's",
    params=(query("user", {"type": "string"}, "a username"),),
    response="admin_phonebook_list",
)
async def list_phonebooks(call: Call) -> web.Response:
    store = call.backend.phonebooks
    items = [
        {
            "id": book.id,
            "user": book.username,
            "title": book.title,
            "count": book.size,
            "options": list(book.option_ids),
            "created_at": book.created_at,
        }
        for book in store.all(call.query["user"])
    ]
    return json_response({"items": items, "stored": store.stored})


@routes.get(
    ADMIN_PREFIX + "/phonebooks/{phonebook_id}/export",
    "A phonebook as the CSV file an import reads, streamed",
    params=(path("phonebook_id", {"type": "integer", "minimum": 1, "maximum": 10**15}),),
    response="admin_phonebook_export",
    statuses=(404,),
)
async def export_phonebook(call: Call) -> web.StreamResponse:
    raw = call.request.match_info["phonebook_id"]
    book = call.backend.phonebooks.get_any(int(raw)) if raw.isascii() and raw.isdigit() else None
    if book is None:
        raise AdminError(404, f"no phonebook with id {raw[:32]}")
    response = web.StreamResponse(
        headers={"Content-Disposition": f'attachment; filename="phonebook-{book.id}.csv"'}
    )
    response.content_type = "text/csv"
    response.charset = "utf-8"
    await response.prepare(call.request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(export_rows(book), start=1):
        writer.writerow(row)
        if count % ROWS_PER_WRITE == 0:
            await response.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    await response.write(buffer.getvalue().encode("utf-8"))
    await response.write_eof()
    return response
