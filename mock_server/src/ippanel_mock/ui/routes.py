"""The web UI's page at / and /__sandbox/ui, and its assets.

The page and its assets are static files shipped in the wheel (ippanel_mock/ui/static/); they
carry no sandbox data, so they are served without the admin token. Everything the page shows it
reads through the admin API, which asks for the token when --admin-token is set.
"""

from __future__ import annotations

import functools
from importlib import resources

from aiohttp import web

from ippanel_mock.http.operations import AdminError, Call, Operations
from ippanel_mock.http.params import path
from ippanel_mock.ui.events import setup_events

UI_PATH = "/__sandbox/ui"
ASSETS_PATH = f"{UI_PATH}/assets"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}
PAGE_SUMMARY = "The web UI: a static page that reads the sandbox through the admin API"

routes = Operations("admin")


@functools.cache
def static_files() -> dict[str, bytes]:
    """The shipped page and assets by file name (read once per process)."""
    folder = resources.files("ippanel_mock.ui") / "static"
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}


def page() -> web.Response:
    body = static_files()["index.html"]
    return web.Response(body=body, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS)


@routes.get("/", PAGE_SUMMARY, response="ui_page", auth=False, operation_id="get_ui_root")
async def root_page(call: Call) -> web.Response:
    return page()


@routes.get(UI_PATH, PAGE_SUMMARY, response="ui_page", auth=False)
async def ui_page(call: Call) -> web.Response:
    return page()


@routes.get(
    ASSETS_PATH + "/{name}",
    "A script, style sheet or icon of the web UI",
    params=(path("name", {"type": "string"}),),
    response="ui_asset",
    statuses=(404,),
    auth=False,
)
async def asset(call: Call) -> web.Response:
    name = call.request.match_info["name"]
    media_type = MEDIA_TYPES.get("." + name.rsplit(".", 1)[-1])
    body = static_files().get(name)
    if body is None or media_type is None:
        raise AdminError(404, "no such asset")
    return web.Response(body=body, content_type=media_type, charset="utf-8", headers=PAGE_HEADERS)


def setup_ui(app: web.Application) -> None:
    """Serve the web UI and its event stream."""
    routes.register(app)
    setup_events(app)
