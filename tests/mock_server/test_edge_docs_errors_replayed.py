"""Every error example of the later edition's docs for patterns, phonebooks, sender lines,
drafts and phonebook sends, reproduced against the sandbox: the same HTTP status and the same
`meta` (message_code, message, errors), not just the same shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from edge_docs_cases import CASES, COUNTED_DIFFERENTLY, Case

if TYPE_CHECKING:
    from sandbox_api import Api

EXAMPLES = Path(__file__).parents[2] / "fixtures" / "spec_examples"


def example(stem: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{stem}.json").read_text("utf-8"))
    return loaded


async def replay(api: Api, stem: str, case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    if case.setup is not None:
        case.setup(api)
    kwargs = {k: (v() if callable(v) else v) for k, v in case.kwargs.items()}
    expected = example(stem)
    status, body = await api.call(expected["route"], case.method, case.path, key=case.key, **kwargs)
    assert status == expected["status"]
    assert body["data"] is None
    return body["meta"], expected["body"]["meta"]


@pytest.mark.parametrize("stem", sorted(CASES))
async def test_sandbox_answers_exactly_like_the_docs_example(api: Api, stem: str) -> None:
    got, documented = await replay(api, stem, CASES[stem])
    assert got == documented


@pytest.mark.parametrize("stem", sorted(COUNTED_DIFFERENTLY))
async def test_examples_that_miscount_their_errors(api: Api, stem: str) -> None:
    got, documented = await replay(api, stem, COUNTED_DIFFERENTLY[stem])
    assert got["errors"] == documented["errors"]
    more = sum(map(len, documented["errors"].values())) - 1
    first = documented["message"].split(" (")[0]
    assert got["message"] == f"{first} (و {more} خطای دیگر)"
    assert {**got, "message": documented["message"]} == documented
