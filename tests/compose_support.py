"""docker-compose.yml as Compose sees it, without an engine: ``.env`` files read and ``${...}``
interpolated the way Compose does (``$$`` escapes, ``:-``/``-`` defaults, ``:?``/``?`` errors).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import compose_env
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"

_REFERENCE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
)


class MissingVariable(ValueError):
    pass


def load_raw() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def read_env_file(path: Path) -> dict[str, str]:
    """A ``.env`` file: KEY=VALUE lines, comments, single quotes taken literally."""
    values = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        values[name.strip()] = value
    return values


def interpolate_text(text: str, env: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match["name"], match["op"], match["arg"] or ""
        value = env.get(name)
        unset_or_empty = not value
        if op in (":-", "-") and (unset_or_empty if op == ":-" else value is None):
            return arg
        if op in (":?", "?") and (unset_or_empty if op == ":?" else value is None):
            raise MissingVariable(f"{name}: {arg}")
        if op in (":+", "+"):
            return arg if (not unset_or_empty if op == ":+" else value is not None) else ""
        return value or ""

    return _REFERENCE.sub(substitute, text)


def interpolate(node: Any, env: Mapping[str, str]) -> Any:
    if isinstance(node, str):
        return interpolate_text(node, env)
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    return node


def generated_env(tmp_dir: Path) -> dict[str, str]:
    """The ``.env`` that ``scripts/compose_env.py`` writes from ``.env.example``, as read back."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    output = tmp_dir / ".env"
    assert compose_env.main(["--output", str(output), "--force"]) == 0
    return read_env_file(output)


def load_compose(env: Mapping[str, str]) -> dict[str, Any]:
    """The compose file with the variables of ``env`` (a ``.env`` as read) filled in."""
    document: dict[str, Any] = interpolate(load_raw(), env)
    return document


def variables_used() -> set[str]:
    return {m["name"] for m in _REFERENCE.finditer(COMPOSE_FILE.read_text()) if m["name"]}


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def option_value(args: list[str], option: str) -> str:
    for index, arg in enumerate(args):
        if arg == option:
            return args[index + 1]
        if arg.startswith(f"{option}="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{option} not given in {args}")
