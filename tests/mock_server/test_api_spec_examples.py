"""The spec's own example responses must fit the sandbox's shipped response schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sandbox_api import assert_matches_schema

EXAMPLES = sorted((Path(__file__).parents[2] / "fixtures" / "spec_examples").glob("*.json"))


def test_there_is_an_example_for_every_route() -> None:
    routes = {json.loads(p.read_text("utf-8"))["route"] for p in EXAMPLES}
    assert routes == {
        "login", "send_sms_otp", "confirm_otp", "forgot_password", "change_password_by_token",
        "logout", "check_token", "send", "report_new_list", "report_by_bulk", "bulk_stats",
        "recipients", "credit", "cancel", "calculate_price", "report_messages_inbox",
        "bank_places", "bank_genders", "bank_counts", "job_subcategories",
        # the later edition's patterns, phonebooks, sender lines and drafts
        "done", "pattern_saved", "pattern", "pattern_list", "phonebook", "phonebook_list",
        "contact", "contact_list", "contact_store", "option", "option_list", "option_update",
        "line_list", "draft_group_list", "draft_list",
    }  # fmt: skip


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_spec_example_matches_the_response_schema(path: Path) -> None:
    example = json.loads(path.read_text("utf-8"))
    assert_matches_schema(example["route"], example["status"], example["body"])
