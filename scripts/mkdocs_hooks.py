"""MkDocs hooks: the sandbox guide's page is mock_server/README.md, included here rather than
by the snippets extension because its screenshot links need rewriting: `../docs/web-ui/…` is
right from mock_server/ on GitHub, while on the site the page sits in docs/sandbox/, one level
below docs/, where the same files are `../web-ui/…`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = '--8<-- "mock_server/README.md"'
README_PREFIX = "](../docs/web-ui/"
SITE_PREFIX = "](../web-ui/"


def on_page_markdown(markdown: str, *, page: Any, **_: Any) -> str:
    if INCLUDE not in markdown:
        return markdown
    readme = (ROOT / "mock_server" / "README.md").read_text(encoding="utf-8")
    return markdown.replace(INCLUDE, readme.replace(README_PREFIX, SITE_PREFIX))
