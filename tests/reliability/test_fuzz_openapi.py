"""Schemathesis against the sandbox's own /openapi.json, every check, on a real socket.

Each example runs on a freshly reset sandbox, so fuzzed sends, clock moves and new users never
pile up and one example cannot change what the next one sees. `make test` draws 40 examples per
operation; a deep run sets IPPANEL_FUZZ_EXAMPLES (e.g. 300) and adds
`--hypothesis-show-statistics` to see the counts.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import create_app
from ippanel_mock.http.openapi import build_document
from ippanel_mock.models.lines import AUDIENCE_LINES
from ippanel_mock.server import ThreadedSandbox
from sandbox_support import API_KEY, SENDER
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import BaseSchema

WRONG_KEY = "not-a-sandbox-key"
EXAMPLES_PER_OPERATION = int(os.environ.get("IPPANEL_FUZZ_EXAMPLES", "40"))
REQUEST_TIMEOUT = 15.0

DISRUPTIVE_ADMIN = ("put_sandbox_ratelimit",)  # switches on 429s for every later request
CHAOS_RULES = "post_sandbox_chaos"
"""Left out: a rule injects 5xx and wire faults on purpose, and its grammar (exactly one trigger,
at least one action, status xor fault) is checked by chaos.parse_rule, not stated in the schema."""
MODEL_CHECKED = ("post_sandbox_autoreplies", "get_api_send_webservice")
"""Fuzzed with every check but positive_data_acceptance, for rules OpenAPI cannot state: whether
`match` compiles as a Python regular expression and names the groups `reply` quotes; and, in the
URL form, that each parameter may come under any of its documented names (`msg` for `message`),
so none is `required`, and that an API key and a password are never given together."""
LONG_POLL = "get_sandbox_messages_wait"  # waits up to `timeout` seconds (120 s at most)
EVENT_STREAM = "get_sandbox_events"  # the web UI's server-sent events never end by design

SCHEMA_ITSELF = "openapi"  # schemathesis leaves out the operation that serves the document

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())
BUT_POSITIVE_ACCEPTANCE = [c for c in ALL_CHECKS if c.__name__ != "positive_data_acceptance"]
assert len(BUT_POSITIVE_ACCEPTANCE) == len(ALL_CHECKS) - 1

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _operation_ids() -> list[str]:
    document = build_document(create_app(SandboxConfig()))
    ids = {
        op["operationId"]
        for item in document["paths"].values()
        for key, op in item.items()
        if key != "servers"
    }
    return sorted(ids - {SCHEMA_ITSELF})


OPERATION_IDS = _operation_ids()
LEFT_OUT = (*DISRUPTIVE_ADMIN, CHAOS_RULES, LONG_POLL, EVENT_STREAM)
CALM_OPERATIONS = [o for o in OPERATION_IDS if o not in LEFT_OUT]
AUTH_CHOICES = st.sampled_from([API_KEY, API_KEY, API_KEY, WRONG_KEY, None])


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(delivery_delay=0)) as running:
        yield running


@pytest.fixture(scope="module")
def served_schema(sandbox: ThreadedSandbox) -> BaseSchema:
    """The document as the running sandbox serves it, not the in-process builder's copy."""
    loaded = schemathesis.openapi.from_url(f"{sandbox.url}/openapi.json")
    served = {op.ok().definition.raw["operationId"] for op in loaded.get_all_operations()}
    assert served == set(OPERATION_IDS)
    return loaded


def _cases(schema: BaseSchema, operation_id: str) -> st.SearchStrategy[Any]:
    operation = schema.find_operation_by_id(operation_id)
    return st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode))


CASES: Counter[tuple[str, int]] = Counter()
"""(operation, status) of every case sent, printed after a deep run."""


@pytest.fixture(scope="module", autouse=True)
def case_counts() -> Iterator[None]:
    yield
    if "IPPANEL_FUZZ_EXAMPLES" in os.environ:
        print(f"\nschemathesis cases: {sum(CASES.values())}")
        for operation in sorted({op for op, _ in CASES}):
            statuses = {status: n for (op, status), n in sorted(CASES.items()) if op == operation}
            print(f"  {operation}: {sum(statuses.values())} cases, statuses {statuses}")


def _with_real_state(case: Any, sandbox: ThreadedSandbox) -> None:
    """A send names sandbox state the schema cannot know (the caller's lines): a schema-valid
    one sends from a line the caller holds, or from a shared audience line its type may use. A
    line not held stays a 422. (Pattern sends need no help: the document lists the shipped
    patterns with their exact variables.)"""
    body = case.body
    if not (isinstance(body, dict) and case.operation.path == "/api/send"):
        return
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return
    sender = body.get("from_number")
    if sender is not None and body.get("sending_type") not in AUDIENCE_LINES.get(sender, ()):
        body["from_number"] = SENDER


def _dropped_the_key(case: Any) -> bool:
    """A negative case generated without the key is sent without one. Schemathesis counts the
    missing key among the case's mutations whatever the harness sends, so with a key put back
    a case whose other mutations are valid on the wire (an unknown query parameter, which the
    sandbox ignores as IPPanel does; a list of one valid element; repeated valid values) would
    be judged a valid call accepted."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.NEGATIVE:
        return False
    return "Authorization" not in (case.headers or {})


def _call(case: Any, sandbox: ThreadedSandbox, auth: str | None, checks: list[Any]) -> int:
    """One example on a fresh sandbox; the key goes in as explicit auth so that
    schemathesis' ignored_auth check probes the same call without it and with a bad one."""
    sandbox.reset()
    _with_real_state(case, sandbox)
    if _dropped_the_key(case):
        auth = None
    if case.headers:
        case.headers.pop("Authorization", None)
    explicit = {"Authorization": auth} if auth is not None else None
    response = case.call_and_validate(
        base_url=sandbox.url, headers=explicit, checks=checks, timeout=REQUEST_TIMEOUT
    )
    CASES[case.operation.definition.raw["operationId"], response.status_code] += 1
    return response.status_code


@pytest.mark.parametrize("operation_id", CALM_OPERATIONS)
def test_operation_is_clean_under_fuzzing(
    operation_id: str, served_schema: BaseSchema, sandbox: ThreadedSandbox
) -> None:
    """No 5xx, every status and body as documented; with the key, a wrong key and none."""
    checks = BUT_POSITIVE_ACCEPTANCE if operation_id in MODEL_CHECKED else ALL_CHECKS

    @FUZZ_SETTINGS
    @given(case=_cases(served_schema, operation_id), auth=AUTH_CHOICES)
    def run(case: Any, auth: str | None) -> None:
        _call(case, sandbox, auth, checks)

    run()


@pytest.mark.parametrize("operation_id", DISRUPTIVE_ADMIN)
def test_disruptive_admin_operation_is_clean_under_fuzzing(
    operation_id: str, served_schema: BaseSchema, sandbox: ThreadedSandbox
) -> None:
    """Chaos rules and rate limits, each example followed by a reset that undoes it."""

    @FUZZ_SETTINGS
    @given(case=_cases(served_schema, operation_id))
    def run(case: Any) -> None:
        try:
            _call(case, sandbox, None, ALL_CHECKS)
        finally:
            sandbox.reset()

    run()


@pytest.mark.parametrize(
    ("operation_id", "parameter", "sent_as"),
    [
        ("get_api_user_draft_list", "page", [""]),  # one element: `page=`, documented as absent
        ("get_api_phonebooks_numbers_contact_list", "phonebook_title", ["a", "b"]),  # repeated
    ],
)
def test_a_negative_case_that_dropped_the_key_is_sent_without_one(
    operation_id: str,
    parameter: str,
    sent_as: list[str],
    served_schema: BaseSchema,
    sandbox: ThreadedSandbox,
) -> None:
    """Found by a 300-example run: a negative case that drops the key and mutates a query
    parameter into a list whose wire form is valid. Schemathesis forgives the list but still
    counts the missing key, so a harness that put a key back made a 200 "accepted negative
    data". Sent as generated, without the key, it is refused."""
    operation = served_schema.find_operation_by_id(operation_id)
    wanted = {(ParameterLocation.QUERY, parameter), (ParameterLocation.HEADER, "Authorization")}

    def drops_key_and_mutates_parameter(case: Any) -> bool:
        mutations = case.meta.phase.data.mutations
        return {(m.parameter_location, m.parameter) for m in mutations} == wanted

    case = find(
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        drops_key_and_mutates_parameter,
        settings=settings(FUZZ_SETTINGS, max_examples=2_000, phases=[Phase.generate]),
    )
    case.query = {parameter: sent_as}
    assert _call(case, sandbox, API_KEY, ALL_CHECKS) == 401
