"""The sandbox's imports only go down DESIGN.md's order, and no two of its modules import each
other (directly or round a longer loop). Imports inside functions count: they run sooner or later.

Order, lowest first: `config` < `models` < `http.base` < `http.{envelope, validation, body}` <
`http.{params, body_specs}` < `http.operations` < the route modules < `http.{admin, openapi}` <
`ui` < `http.app` < the server's own pieces < `server` < `cli`, the pytest plugin, the package.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mock_server" / "src" / "ippanel_mock"

RANKS: dict[str, int] = {
    "config": 0,
    "models": 1,
    "http": 2,  # the package itself (schema files)
    "http.base": 2,
    "http.envelope": 3,
    "http.validation": 3,
    "http.body": 3,
    "http.params": 4,
    "http.body_specs": 4,
    "http.operations": 5,
    "http.admin": 7,
    "http.openapi": 7,
    "ui": 8,
    "http.app": 9,
    "connections": 10,
    "access_log": 10,
    "server": 11,
    "cli": 12,
    "pytest_plugin": 12,
    "__main__": 13,
    "": 13,  # the package's __init__: the public names
}
ROUTES = 6
"""Every other http module: a route table (public or admin) or a middleware."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rank(module: str) -> int:
    if module in RANKS:
        return RANKS[module]
    if module.split(".")[0] in ("models", "ui"):
        return RANKS[module.split(".")[0]]
    assert module.startswith("http."), f"{module} has no place in the order: add it to RANKS"
    return ROUTES


def imports(path: Path) -> set[str]:
    own = module_name(path)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            raise AssertionError(f"{path.name}: relative import; the package imports absolutely")
    inside = {name for name in found if name == "ippanel_mock" or name.startswith("ippanel_mock.")}
    return {name.removeprefix("ippanel_mock").removeprefix(".") for name in inside} - {own}


GRAPH = {module_name(path): imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_has_a_place_in_the_order() -> None:
    for module in GRAPH:
        rank(module)


def test_no_module_imports_one_above_it() -> None:
    upward = {
        f"{module} -> {name}": (rank(module), rank(name))
        for module, names in GRAPH.items()
        for name in names
        if rank(name) > rank(module)
    }
    assert not upward


def test_no_import_cycle() -> None:
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("cycle: " + " -> ".join([*trail[trail.index(module) :], module]))
        if module in done:
            return
        for name in sorted(GRAPH.get(module, ())):
            visit(name, [*trail, module])
        done.add(module)

    for module in GRAPH:
        visit(module, [])


def test_the_models_know_nothing_of_http() -> None:
    """State and domain rules are testable without a server (DESIGN.md: models/)."""
    speaking_http = []
    for path in sorted((PACKAGE / "models").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            speaking_http += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "aiohttp"]
    assert not speaking_http
