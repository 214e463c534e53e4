"""Patterns, sender lines and drafts through the blocking client against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from client_support import SANDBOX_API_KEY, SENDER, SandboxAdmin
from ippanel_provider.client import (
    IPPanelClient,
    IPPanelNotFoundError,
    IPPanelValidationError,
    PatternVariable,
)


@pytest.fixture
def client(client_sandbox: SandboxAdmin) -> Iterator[IPPanelClient]:
    with IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER) as made:
        yield made


def test_a_new_pattern_is_reviewed_on_the_clock_then_sends(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    pattern = client.create_pattern(
        "Your code is %code%, %name%",
        description="login codes",
        variables={"code": "integer", "name": "string"},
        title="login",
    )
    assert (pattern.status, pattern.title) == ("pending", "login")
    assert pattern.variables == (PatternVariable("code", "integer"), PatternVariable("name"))
    with pytest.raises(IPPanelValidationError):
        client.send_pattern(pattern.code, "09121234567", {"code": "1234", "name": "Ali"})

    client_sandbox.advance_clock(5)
    assert client.get_pattern(pattern.code).is_active
    [bulk] = client.send_pattern(
        pattern.code, "09121234567", {"code": "1234", "name": "Ali"}
    ).message_outbox_ids
    [sms] = client_sandbox.messages(bulk_id=bulk)
    assert sms["text"] == "Your code is 1234, Ali"


def test_patterns_list_filter_update_and_delete(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    mine = client.create_pattern("Hi %name%", description="greeting", variables=["name"])
    own = client.list_patterns(kind="normal")
    assert [p.code for p in own.items] == [mine.code]
    shared = list(client.iter_patterns(kind="systemic", per_page=2))
    assert shared
    assert {p.kind for p in shared} == {"systemic"}
    assert len(shared) == client.list_patterns(kind="systemic").total  # every page walked
    assert client.list_patterns(code=mine.code).items[0].message == "Hi %name%"

    client_sandbox.advance_clock(5)
    updated = client.update_pattern(mine.code, "Hello %name%", description="greeting 2")
    assert (updated.status, updated.message) == ("pending", "Hello %name%")  # reviewed again
    client.delete_pattern(mine.code)
    with pytest.raises(IPPanelNotFoundError):
        client.get_pattern(mine.code)
    with pytest.raises(IPPanelNotFoundError):
        client.delete_pattern(shared[0].code)  # shared ones are read-only


def test_pattern_input_is_checked_before_any_request(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    with pytest.raises(ValueError, match="type 'date'"):
        client.create_pattern("x %d%", description="d", variables={"d": "date"})
    with pytest.raises(ValueError, match="not a plain identifier"):
        client.create_pattern("x", description="d", variables=["two words"])
    with pytest.raises(ValueError, match="description"):
        client.create_pattern("x", description="")
    with pytest.raises(ValueError, match="state must be"):
        client.list_patterns(state="approved")
    assert client_sandbox.requests() == []


def test_lines_list_assign_and_unassign(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    lines = list(client.iter_lines(per_page=1))
    assert [line.number for line in lines] == ["+983000505", "+9810001"]
    with IPPanelClient(client_sandbox.url, api_key="sandbox-ga-api-key") as other:
        held = {line.number for line in other.iter_lines()}
        assert "+983000505" in held
        client.unassign_line(lines[0].id, "sandbox-ga")
        assert {line.number for line in other.iter_lines()} == held - {"+983000505"}
        with pytest.raises(IPPanelValidationError) as refused:
            other.send_sms(["09121234567"], "no line any more", sender="+983000505")
        assert "from_number" in refused.value.errors
        with pytest.raises(IPPanelValidationError) as twice:
            client.unassign_line("+983000505", "sandbox-ga")
        assert (twice.value.http_status, twice.value.message_code) == (400, "400-1")

        client.assign_line("+983000505", "sandbox-ga", send=True, gets=False)
        [line] = [x for x in other.iter_lines() if x.number == "+983000505"]
        assert line.gets is False
        [bulk] = other.send_sms(["09121234567"], "back", sender="+983000505").message_outbox_ids
        assert client_sandbox.messages(bulk_id=bulk)[0]["sender"] == "+983000505"
    with pytest.raises(IPPanelNotFoundError):
        client.assign_line("+989999999", "sandbox-ga")
    with pytest.raises(IPPanelNotFoundError):
        client.assign_line(lines[0].id, "nobody")


def test_draft_groups_and_drafts_full_cycle(client: IPPanelClient) -> None:
    client.create_draft_group("campaigns")
    [group] = client.list_draft_groups().items
    client.create_draft(group.id, "Spring sale!")
    client.create_draft(group.id, "Summer sale!")
    drafts = list(client.iter_drafts(group_id=group.id, per_page=1))
    assert [d.message for d in drafts] == ["Spring sale!", "Summer sale!"]
    client.update_draft(drafts[0].id, "Spring sale, 20% off")
    client.rename_draft_group(group.id, "sales")
    assert [g.title for g in client.iter_draft_groups()] == ["sales"]
    assert client.list_drafts().items[0].message == "Spring sale, 20% off"
    client.delete_drafts([drafts[1].id])
    assert [d.id for d in client.iter_drafts()] == [drafts[0].id]
    client.delete_draft_group(group.id)
    assert list(client.iter_drafts()) == []
    with pytest.raises(IPPanelNotFoundError):
        client.create_draft(group.id, "into a deleted group")
