"""Operations: every route declares its contract next to itself, and that declaration drives
both its behaviour and its entry in /openapi.json.

A declaration names the summary, the request body (a `BodySpec` of http/body_specs.py), the
query and path parameters (http/params.py), the answer's schema file and status, and
the domain errors the route may meet with the answer each becomes. The endpoint built from it
authenticates, reads the parameters and the body, calls the route with a `Call`, and turns every
refusal into its family's answer: IPPanel envelopes for the public API, `{"error": ...}` for the
admin API. One reading path serves both families, so both refuse the same bodies.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.base import BACKEND, V1_PREFIX, Refusal
from ippanel_mock.http.body import (
    MAX_JSON_DEPTH,
    BodyError,
    BodyProblem,
    SchemaViolation,
)
from ippanel_mock.http.body_specs import BodySpec
from ippanel_mock.http.envelope import (
    MSG_BAD_CONTENT_TYPE,
    MSG_BAD_JSON,
    MSG_BAD_MULTIPART,
    MSG_TOO_DEEP,
    MSG_TOO_LARGE,
    MSG_TOO_SLOW,
    ApiError,
    unauthorized,
    validation_failed,
)
from ippanel_mock.http.params import Param, ParamError
from ippanel_mock.http.validation import admin_schema_errors, schema_errors
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.errors import SandboxError
from ippanel_mock.models.users import User, secrets_match
from ippanel_mock.models.wording import (
    invalid_message,
    repeated_message,
    required_message,
    valid_unicode,
)

ADMIN_TOKEN_HEADER = "X-Sandbox-Admin-Token"
MSG_NOT_AN_OBJECT = "بدنه درخواست باید یک شیء JSON باشد"

Family = Literal["public", "admin"]
Answer = tuple[int, str] | int
"""What a domain error becomes: (HTTP status, message_code) for the public API, a status for
the admin API."""


@dataclass(slots=True)
class Call:
    """One request, parsed by its operation's declaration."""

    request: web.Request
    backend: SandboxBackend
    body: Any
    query: dict[str, Any]
    caller: User | None

    @property
    def user(self) -> User:
        """The authenticated caller (operations declared with auth)."""
        if self.caller is None:
            raise RuntimeError("this operation does not authenticate its caller")
        return self.caller


CallHandler = Callable[[Call], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Operation:
    method: str
    path: str
    summary: str
    family: Family
    handler: CallHandler
    body: BodySpec | None = None
    params: tuple[Param, ...] = ()
    response: str | None = None
    status: int = 200
    errors: Mapping[type[SandboxError], Answer] = field(default_factory=dict)
    statuses: tuple[int, ...] = ()
    """Statuses the route answers by itself (documented as this family's errors)."""
    auth: bool = True
    """Public: an API key or token in Authorization. Admin: the admin token, when configured."""
    error_response: str | None = None
    """The response schema of its refusals when not the family's own (`error`, `admin_error`)."""
    operation_id: str | None = None
    endpoint: Callable[[web.Request], Awaitable[web.StreamResponse]] = field(init=False)

    def __post_init__(self) -> None:
        self.endpoint = (public_endpoint if self.family == "public" else admin_endpoint)(self)

    @property
    def query_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "query")

    def answer_for(self, exc: SandboxError) -> Answer | None:
        for kind in type(exc).__mro__:
            if kind in self.errors:
                return self.errors[kind]
        return None


OPERATIONS = web.AppKey("operations", list)
"""Every declared operation the app serves, in registration order (for /openapi.json)."""


class Operations:
    """A table of declared operations of one family, registered on an app together."""

    def __init__(self, family: Family) -> None:
        self.family: Family = family
        self.operations: list[Operation] = []

    def route(
        self, method: str, path: str, summary: str, **details: Any
    ) -> Callable[[CallHandler], CallHandler]:
        def declare(handler: CallHandler) -> CallHandler:
            operation = Operation(method, path, summary, self.family, handler, **details)
            self.operations.append(operation)
            return handler

        return declare

    def get(self, path: str, summary: str, **details: Any) -> Callable[[CallHandler], CallHandler]:
        return self.route("GET", path, summary, **details)

    def post(self, path: str, summary: str, **details: Any) -> Callable[[CallHandler], CallHandler]:
        return self.route("POST", path, summary, **details)

    def put(self, path: str, summary: str, **details: Any) -> Callable[[CallHandler], CallHandler]:
        return self.route("PUT", path, summary, **details)

    def delete(
        self, path: str, summary: str, **details: Any
    ) -> Callable[[CallHandler], CallHandler]:
        return self.route("DELETE", path, summary, **details)

    def register(self, app: web.Application) -> None:
        """Add the routes (public ones also under /v1) and their declarations to `app`."""
        if OPERATIONS not in app:
            app[OPERATIONS] = []
        for op in self.operations:
            app.router.add_route(op.method, op.path, op.endpoint)
            if self.family == "public":
                app.router.add_route(op.method, V1_PREFIX + op.path, op.endpoint)
            app[OPERATIONS].append(op)


# -- public endpoints: IPPanel envelopes ---------------------------------------------------

PUBLIC_BODY_ANSWERS: dict[BodyProblem, tuple[int, str, str]] = {
    BodyProblem.TOO_LARGE: (413, "413-1", MSG_TOO_LARGE),
    BodyProblem.CONTENT_TYPE: (415, "415-1", MSG_BAD_CONTENT_TYPE),
    BodyProblem.EMPTY: (400, "400-3", MSG_BAD_JSON),
    BodyProblem.MALFORMED: (400, "400-3", MSG_BAD_JSON),
    BodyProblem.TOO_DEEP: (400, "400-3", MSG_TOO_DEEP),
    BodyProblem.TOO_SLOW: (408, "408-1", MSG_TOO_SLOW),
    BodyProblem.BAD_MULTIPART: (400, "400-3", MSG_BAD_MULTIPART),
}


def public_refusal(op: Operation, exc: Exception) -> Exception:
    """The envelope for a refusal met while serving a public operation."""
    if isinstance(exc, BodyError):
        if exc.problem is BodyProblem.NOT_OBJECT:
            return validation_failed({"body": [MSG_NOT_AN_OBJECT]})
        return ApiError(*PUBLIC_BODY_ANSWERS[exc.problem])
    if isinstance(exc, SchemaViolation):
        return validation_failed(schema_errors(exc.schema, exc.instance))
    if isinstance(exc, ParamError):
        name = exc.param.name
        word = {"missing": required_message, "repeated": repeated_message}.get(
            exc.problem, invalid_message
        )
        return validation_failed({name: [word(name)]})
    assert isinstance(exc, SandboxError)
    answer = op.answer_for(exc)
    if answer is None:  # a domain error the route did not declare: a bug, answered as a 500
        return exc
    status, code = answer if isinstance(answer, tuple) else (answer, f"{answer}-1")
    return ApiError(status, code, exc.message, exc.fields or None)


def public_endpoint(op: Operation) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    handler, spec, auth, params = op.handler, op.body, op.auth, op.query_params

    async def endpoint(request: web.Request) -> web.StreamResponse:
        backend = request.app[BACKEND]
        caller = None
        if auth:
            caller = backend.users.authenticate(request.headers.get("Authorization"))
            if caller is None:
                raise unauthorized()
        try:
            values = {p.name: p.read(request) for p in params} if params else {}
            body = await spec.read(request, backend.config) if spec else None
            return await handler(Call(request, backend, body, values, caller))
        except (BodyError, SchemaViolation, ParamError, SandboxError) as exc:
            raise public_refusal(op, exc) from None

    return functools.update_wrapper(endpoint, handler)


# -- admin endpoints: {"error": ...} -------------------------------------------------------


class AdminError(Refusal):
    """Answered as `{"error": message, **extra}` with `status` (a 4xx)."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def response(self) -> web.Response:
        return json_response({"error": self.message, **self.extra}, status=self.status)


_readable_dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_response(data: Any, *, status: int = 200) -> web.Response:
    """JSON with Persian text left readable (UTF-8), not \\u-escaped; always valid UTF-8."""
    body = valid_unicode(_readable_dumps(data)).encode("utf-8")
    return web.Response(body=body, status=status, content_type="application/json", charset="utf-8")


ADMIN_BODY_ANSWERS: dict[BodyProblem, tuple[int, str]] = {
    BodyProblem.TOO_LARGE: (413, "request body is larger than {config.max_body_bytes} bytes"),
    BodyProblem.TOO_SLOW: (408, "request body did not arrive within {config.header_timeout:g} s"),
    BodyProblem.CONTENT_TYPE: (415, "Content-Type must be application/json"),
    BodyProblem.EMPTY: (400, "request body must be a JSON object"),
    BodyProblem.MALFORMED: (400, "request body is not valid JSON"),
    BodyProblem.TOO_DEEP: (400, f"request body nests deeper than {MAX_JSON_DEPTH} levels"),
    BodyProblem.NOT_OBJECT: (422, "request body must be a JSON object"),
    BodyProblem.BAD_MULTIPART: (400, "request body is not valid multipart/form-data"),
}


def admin_refusal(op: Operation, exc: Exception, config: SandboxConfig) -> Exception:
    """The `{"error": ...}` answer for a refusal met while serving an admin operation."""
    if isinstance(exc, BodyError):
        status, message = ADMIN_BODY_ANSWERS[exc.problem]
        return AdminError(status, message.format(config=config))
    if isinstance(exc, SchemaViolation):
        fields = admin_schema_errors(exc.schema, exc.instance)
        return AdminError(422, "invalid request body", fields=fields)
    if isinstance(exc, ParamError):
        param = exc.param
        if exc.problem == "repeated":
            return AdminError(400, f"{param.name} must be given once")
        if param.schema.get("type") == "number":
            return AdminError(400, f"{param.name} must be a finite number {param.bounds()}")
        if exc.problem == "range":
            return AdminError(400, f"{param.name} must be {param.bounds()}")
        return AdminError(400, f"{param.name} must be an integer")
    assert isinstance(exc, SandboxError)
    answer = op.answer_for(exc)
    if answer is None:
        return exc
    status = answer[0] if isinstance(answer, tuple) else answer
    extra = {"fields": exc.fields} if exc.fields else {}
    return AdminError(status, exc.message, **extra)


def admin_endpoint(op: Operation) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    handler, spec, guarded, params = op.handler, op.body, op.auth, op.query_params

    async def endpoint(request: web.Request) -> web.StreamResponse:
        backend = request.app[BACKEND]
        expected = backend.config.admin_token
        if guarded and expected:
            given = request.headers.get(ADMIN_TOKEN_HEADER, "")
            if not secrets_match(given, expected):
                raise AdminError(401, f"missing or wrong {ADMIN_TOKEN_HEADER} header")
        try:
            values = {p.name: p.read(request) for p in params} if params else {}
            body = await spec.read(request, backend.config) if spec else None
            return await handler(Call(request, backend, body, values, None))
        except (BodyError, SchemaViolation, ParamError, SandboxError) as exc:
            raise admin_refusal(op, exc, backend.config) from None

    return functools.update_wrapper(endpoint, handler)
