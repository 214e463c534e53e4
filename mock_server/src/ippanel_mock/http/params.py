"""Query and path parameters: one declaration (a JSON Schema) is both what a route reads and
what /openapi.json documents."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

INTEGER = re.compile(r"-?[0-9]{1,18}")


class ParamError(Exception):
    """A query parameter the route cannot use; `problem` is "missing", "malformed", "range" or
    "repeated" (a single value given more than once: which one counts would be a guess)."""

    def __init__(self, param: Param, problem: str) -> None:
        super().__init__(f"{param.name}: {problem}")
        self.param = param
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Param:
    """A query (or path) parameter: its schema is both what is documented and what is read."""

    name: str
    schema: Mapping[str, Any]
    location: Literal["query", "path"] = "query"
    required: bool = False
    description: str = ""

    def read(self, request: web.Request) -> Any:
        """The value, typed by the schema (integer, number or string); absent or empty gives the
        schema's default."""
        raw = request.match_info.get(self.name) if self.location == "path" else None
        if self.location == "query":
            values = request.query.getall(self.name, ())
            if len(values) > 1:
                raise ParamError(self, "repeated")
            raw = values[0] if values else None
        if raw is None or raw == "":
            if self.required:
                raise ParamError(self, "missing")
            return self.schema.get("default")
        kind = self.schema.get("type")
        value: int | float
        if kind == "integer":
            if not INTEGER.fullmatch(raw):
                raise ParamError(self, "malformed")
            value = int(raw)
        elif kind == "number":
            try:
                value = float(raw)
            except ValueError:
                raise ParamError(self, "malformed") from None
            if not math.isfinite(value):
                raise ParamError(self, "malformed")
        else:
            return raw
        low, high = self.schema.get("minimum"), self.schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ParamError(self, "range")
        return value

    def bounds(self) -> str:
        low, high = self.schema.get("minimum"), self.schema.get("maximum")
        if high is None:
            return f">= {plain(low)}"
        if low is None:
            return f"<= {plain(high)}"
        return f"from {plain(low)} to {plain(high)}"

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "name": self.name,
            "in": self.location,
            "required": self.required or self.location == "path",
            "schema": dict(self.schema),
        }
        if self.location == "query" and not self.required:
            doc["allowEmptyValue"] = True  # the routes read `?name=` as absent
        if self.description:
            doc["description"] = self.description
        return doc


def plain(number: float | None) -> str:
    """A bound as a person writes it: 1000000, not 1e+06; 0.5 stays 0.5."""
    if number is None or not float(number).is_integer():
        return repr(number)
    return str(int(number))


def query(name: str, schema: Mapping[str, Any], description: str = "", **kw: Any) -> Param:
    return Param(name, schema, "query", description=description, **kw)


def path(name: str, schema: Mapping[str, Any]) -> Param:
    return Param(name, schema, "path", required=True)
