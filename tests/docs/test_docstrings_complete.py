"""Every public operator, sensor, trigger, notifier, hook and client method documents each of its
parameters, and every result type each of its fields: what the API reference is generated from.

Read with griffe (the parser mkdocstrings uses), statically, as the documentation build reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import griffe
import pytest

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_MODULES = [
    "ippanel_provider.operators.base",
    "ippanel_provider.operators.send",
    "ippanel_provider.sensors.delivery",
    "ippanel_provider.triggers.delivery",
    "ippanel_provider.notifications.ippanel",
    "ippanel_provider.hooks.ippanel",
    "ippanel_provider.client.api",
    "ippanel_provider.client.sync",
    "ippanel_provider.client.aio",
    "ippanel_provider.client.models",
    "ippanel_provider.client.report_models",
    "ippanel_provider.client.errors",
    "ippanel_provider.client.retry",
    "ippanel_provider.operators.phonebook",
    "ippanel_provider.operators.audiences",
    "ippanel_provider.sensors.inbox",
    "ippanel_provider.triggers.inbox",
    "ippanel_provider.client.api_reports",
    "ippanel_provider.client.api_auth",
    "ippanel_provider.client.api_patterns",
    "ippanel_provider.client.api_lines",
    "ippanel_provider.client.api_drafts",
    "ippanel_provider.client.api_books",
    "ippanel_provider.client.api_contacts",
    "ippanel_provider.client.phonebook_sync",
    "ippanel_provider.client.api_inbox",
    "ippanel_provider.client.api_audiences",
    "ippanel_provider.client.stored",
    "ippanel_provider.client.phonebook_models",
    "ippanel_provider.client.audience_models",
    "ippanel_provider.client.inbox",
]
"""The modules the reference documents; a new public module belongs here and on a docs page."""
SKIPPED_PARAMETERS = {"self", "cls"}
AIRFLOW_HOOKS = {"execute", "execute_complete", "poke", "serialize", "run", "notify"}
"""Methods Airflow calls with its own well-known arguments (documented by Airflow)."""


def package() -> griffe.Module:
    return griffe.load(
        "ippanel_provider",
        search_paths=[str(ROOT / "provider" / "src")],
        docstring_parser=griffe.Parser.sphinx,
    )


PACKAGE = package()


def documented_names(obj: griffe.Object, kinds: tuple[type, ...]) -> set[str]:
    if obj.docstring is None:
        return set()
    names: set[str] = set()
    for section in obj.docstring.parse(griffe.Parser.sphinx, warnings=False):
        if isinstance(section, kinds):
            names.update(item.name for item in section.value)
    return names


def public_classes() -> Iterator[griffe.Class]:
    for path in PUBLIC_MODULES:
        module = PACKAGE[path.removeprefix("ippanel_provider.")]
        for member in module.members.values():
            if member.is_alias or not member.is_class or member.name.startswith("_"):
                continue
            yield member


def parameters(function: griffe.Function) -> list[str]:
    return [
        p.name
        for p in function.parameters
        if p.name not in SKIPPED_PARAMETERS
        and p.kind not in (griffe.ParameterKind.var_positional, griffe.ParameterKind.var_keyword)
    ]


def missing_documentation() -> list[str]:
    problems: list[str] = []
    params = (griffe.DocstringSectionParameters,)
    for cls in public_classes():
        where = f"{cls.path}"
        if not cls.docstring:
            problems.append(f"{where}: no docstring")
            continue
        is_dataclass = "dataclass" in {d.callable_path.rsplit(".", 1)[-1] for d in cls.decorators}
        init = cls.members.get("__init__")
        if isinstance(init, griffe.Function) and not is_dataclass:
            known = documented_names(cls, params) | documented_names(init, params)
            problems += [
                f"{where}: parameter {n!r} undocumented" for n in parameters(init) if n not in known
            ]
        if is_dataclass:
            fields = documented_names(cls, (griffe.DocstringSectionAttributes, *params))
            for name, member in cls.members.items():
                undocumented = not member.docstring and name not in fields
                if member.is_attribute and not name.startswith("_") and undocumented:
                    problems.append(f"{where}: field {name!r} undocumented")
        for name, member in cls.members.items():
            if name.startswith("_") or name in AIRFLOW_HOOKS or not member.is_function:
                continue
            if member.is_alias:
                continue
            if not member.docstring:
                problems.append(f"{where}.{name}: no docstring")
                continue
            known = documented_names(member, params)
            problems += [
                f"{where}.{name}: parameter {n!r} undocumented"
                for n in parameters(member)
                if n not in known
            ]
    return problems


def test_every_public_parameter_and_field_is_documented() -> None:
    problems = missing_documentation()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", PUBLIC_MODULES)
def test_every_documented_module_is_on_a_docs_page(path: str) -> None:
    pages = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").rglob("*.md"))
    assert f"::: {path}" in pages, f"no docs page references {path} (add a '::: {path}' line)"
