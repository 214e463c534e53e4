"""What every admin route module shares: the prefix, id and paging parameters, the page body."""

from __future__ import annotations

from typing import Any

from ippanel_mock.http.base import MAX_ID
from ippanel_mock.http.params import query

ADMIN_PREFIX = "/__sandbox"
MAX_PER_PAGE = 1000
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
"""An admin path id (0 is accepted and simply not found)."""

PAGE_PARAMS = (
    query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
    query("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50}),
)


def page_body(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "last_page": max(1, -(-total // per_page)),
    }
