"""Dockerfile steps read and replayed without an engine: a tiny parser and .dockerignore rules.

Covers what the project's Dockerfiles use (FROM, WORKDIR, ENV key=value, COPY, RUN, EXPOSE,
HEALTHCHECK, CMD); the build context is the repository root, as in docker-compose.yml.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

CONTEXT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    flags: dict[str, str] = field(default_factory=dict)

    def exec_form(self) -> list[str]:
        """The JSON-array form; shell form is refused (it would not get SIGTERM on stop)."""
        parsed = json.loads(self.arguments)
        assert isinstance(parsed, list), f"{self.keyword} is not in exec form: {self.arguments}"
        return [str(part) for part in parsed]


def parse_dockerfile(path: Path) -> list[Instruction]:
    """Instructions with continuations joined, comments dropped and leading --flags split off."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1].rstrip() + " "
            continue
        logical.append(pending + line)
        pending = ""
    instructions = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        flags: dict[str, str] = {}
        rest = rest.strip()
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            name, _, value = flag[2:].partition("=")
            flags[name] = value
            rest = rest.strip()
        instructions.append(Instruction(keyword.upper(), rest, flags))
    return instructions


def only(instructions: list[Instruction], keyword: str) -> Instruction:
    found = [ins for ins in instructions if ins.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword}, found {len(found)}"
    return found[0]


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(.dockerignore) patterns as (is_exception, regex); Docker's `*`, `?` and `**` semantics."""
    rules = []
    for raw in (CONTEXT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = line.lstrip("!").strip("/")
        regex = ""
        for token in re.split(r"(\*\*/|\*\*|\*|\?)", pattern):
            regex += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                token, re.escape(token)
            )
        rules.append((negated, re.compile(regex)))
    return rules


def is_ignored(relative: PurePosixPath, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """True when the path, or a folder it is in, is left out of the build context."""
    candidates = [
        str(relative),
        *(str(parent) for parent in relative.parents if str(parent) != "."),
    ]
    ignored = False
    for negated, regex in rules:
        if any(regex.fullmatch(candidate) for candidate in candidates):
            ignored = not negated
    return ignored


def copy_sources(instruction: Instruction) -> tuple[list[str], str]:
    *sources, destination = shlex.split(instruction.arguments)
    return sources, destination


def replay_copy(instruction: Instruction, root: Path, workdir: PurePosixPath) -> None:
    """Copy the instruction's sources (minus ignored files) into root, as the builder would."""
    rules = dockerignore_rules()
    sources, destination = copy_sources(instruction)
    target = root / (workdir / destination).relative_to("/")
    into_folder = destination.endswith("/") or len(sources) > 1
    for source in sources:
        origin = CONTEXT / source
        if origin.is_dir():
            for path in sorted(origin.rglob("*")):
                relative = PurePosixPath(path.relative_to(CONTEXT).as_posix())
                if path.is_file() and not is_ignored(relative, rules):
                    copied = target / path.relative_to(origin)
                    copied.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, copied)
        else:
            copied = target / origin.name if into_folder else target
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, copied)


def env_pairs(instruction: Instruction) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in shlex.split(instruction.arguments))


def healthcheck_command(instruction: Instruction) -> list[str]:
    keyword, _, command = instruction.arguments.partition(" ")
    assert keyword == "CMD", instruction.arguments
    return Instruction("CMD", command.strip()).exec_form()
