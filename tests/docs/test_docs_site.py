"""The documentation site: it builds in strict mode, strict mode catches what it should, every
public module is on a page, and every Python example on its pages runs.

The build is what `make docs` runs (`mkdocs build --strict`, config `mkdocs.yml`); the examples
are the ```python blocks of docs/*.md and of the READMEs the pages include, run as written
(a sandbox started for the ones that talk to one).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from doc_snippets import ROOT, doc_page_sources, doc_pages, python_blocks
from ippanel_mock import SandboxConfig, ThreadedSandbox

DOCS = ROOT / "docs"
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict"]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
pages = doc_pages
page_sources = doc_page_sources


def python_examples() -> list[tuple[str, int, str]]:
    return [
        (page, number, block)
        for page, text in page_sources().items()
        for number, block in enumerate(python_blocks(text), start=1)
    ]


def test_site_builds_strict_with_every_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = subprocess.run(
        [*MKDOCS, "--site-dir", str(site)], cwd=ROOT, env=ENV, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    for page in pages():
        assert (site / page.relative_to(DOCS).with_suffix(".html")).is_file(), page
    operators = (site / "provider" / "operators.html").read_text(encoding="utf-8")
    assert "IPPanelSendPatternOperator" in operators
    assert "pattern_code" in operators
    client = (site / "provider" / "client.html").read_text(encoding="utf-8")
    for field in (
        "report_models.OutboxBulk.messages_outbox_id",
        "report_models.OutboxBulk.rcpts_count",
        "report_models.OutboxBulk.time_send",
        "models.SendResult.message_outbox_ids",
    ):
        assert f'id="ippanel_provider.client.{field}"' in client
    sandbox = (site / "sandbox" / "index.html").read_text(encoding="utf-8")
    assert "Magic numbers" in sandbox
    assert "Where the sandbox had to choose" in sandbox


def strict_config(tmp_path: Path, page: str, extra_paths: list[str]) -> Path:
    """The project's mkdocs.yml on a one-page copy of the docs, paths made absolute."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(page, encoding="utf-8")
    config["docs_dir"] = str(docs)
    config["site_dir"] = str(tmp_path / "site")
    config["nav"] = [{"Home": "index.md"}]
    config["hooks"] = [str(ROOT / hook) for hook in config.get("hooks", [])]
    python = config["plugins"][1]["mkdocstrings"]["handlers"]["python"]
    python["paths"] = [str(ROOT / p) for p in python["paths"]] + extra_paths
    for extension in config["markdown_extensions"]:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            extension["pymdownx.snippets"]["base_path"] = [str(ROOT)]
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


BROKEN = {
    "link": ("# Home\n\nSee [the hooks](hooks.md).\n", "hooks.md"),
    "reference": ("# Home\n\n::: ippanel_provider.hooks.ippanel.NoSuchHook\n", "NoSuchHook"),
    "parameter": ("# Home\n\n::: stale_docs.send\n", "does not appear in the function signature"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_strict_build_fails_on(case: str, tmp_path: Path) -> None:
    """A broken link, an unknown API reference, a docstring naming a parameter that is gone."""
    module = tmp_path / "src"
    module.mkdir()
    (module / "stale_docs.py").write_text(
        'def send(message: str) -> None:\n    """Send.\n\n    :param text: renamed.\n    """\n'
    )
    page, expected = BROKEN[case]
    config = strict_config(tmp_path, page, [str(module)])
    result = subprocess.run(
        [*MKDOCS, "-f", str(config)], cwd=tmp_path, env=ENV, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert expected in result.stderr


def test_every_public_module_is_on_a_page() -> None:
    text = "".join(page_sources().values())
    packages = ROOT / "provider" / "src" / "ippanel_provider"
    groups = ("operators", "sensors", "triggers", "notifications", "hooks")
    modules = [
        f"ippanel_provider.{group}.{path.stem}"
        for group in groups
        for path in sorted((packages / group).glob("*.py"))
        if not path.stem.startswith("_") and not path.read_text().startswith('"""Deprecated')
    ]
    missing = [m for m in modules if not re.search(rf"^::: {re.escape(m)}\b", text, re.M)]
    assert not missing, f"add a '::: <module>' line for these to a docs/provider page: {missing}"


@pytest.fixture(scope="module")
def sandbox_8089() -> Any:
    """A sandbox with the CLI's defaults, standing in for `ippanel-mock --port 8089`."""
    with ThreadedSandbox(SandboxConfig()) as sandbox:
        yield sandbox


@pytest.mark.parametrize(
    ("page", "number", "source"),
    python_examples(),
    ids=[f"{page}#{number}" for page, number, _ in python_examples()],
)
def test_python_example_runs(
    page: str,
    number: int,
    source: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sandbox_8089: ThreadedSandbox,
) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_IPPANEL_DEFAULT", "")  # an example may set it; restored
    source = source.replace("http://127.0.0.1:8089", sandbox_8089.url)
    if "def test_" in source:  # a pytest module: run it as pytest would, with the plugin
        (tmp_path / "pytest.ini").write_text("[pytest]\n")
        (tmp_path / "test_example.py").write_text(source, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert re.search(r"\b\d+ passed\b", result.stdout)
        return
    namespace: dict[str, Any] = {"__name__": f"docs_example_{number}"}
    exec(compile(source, f"{page} (example {number})", "exec"), namespace)
    main = namespace.get("main")
    if asyncio.iscoroutinefunction(main):  # an example that defines main() but leaves the run
        asyncio.run(main())


def test_examples_were_found() -> None:
    found = {page for page, _, _ in python_examples()}
    assert {"docs/index.md", "docs/provider/connection.md", "docs/sandbox/index.md"} <= found
