"""The ```python examples of the READMEs and the documentation pages, as readers see them."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
INCLUDE = re.compile(r'^--8<-- "([^"]+)"$', re.M)
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def python_blocks(text: str) -> list[str]:
    return PYTHON_BLOCK.findall(text)


def doc_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def doc_page_sources() -> dict[str, str]:
    """Each docs page's markdown with its snippet includes resolved, as mkdocs renders it."""

    def expand(text: str) -> str:
        return INCLUDE.sub(lambda m: expand((ROOT / m.group(1)).read_text(encoding="utf-8")), text)

    return {str(p.relative_to(ROOT)): expand(p.read_text(encoding="utf-8")) for p in doc_pages()}


def every_python_example() -> list[tuple[str, int, str]]:
    """(file, number in that file counted from 1, source) for both READMEs and every docs page."""
    sources = {
        name: (ROOT / name).read_text(encoding="utf-8")
        for name in ("README.md", "provider/README.md")
    }
    sources.update(doc_page_sources())
    return [
        (name, number, block)
        for name, text in sources.items()
        for number, block in enumerate(python_blocks(text), start=1)
    ]
