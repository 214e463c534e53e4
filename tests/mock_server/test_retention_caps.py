"""Retention caps on the outbox: a long-running sandbox under load stays bounded, the oldest
bulks go first, and the default still holds the 1,000,000-recipient benchmark."""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING

import pytest
from ippanel_mock import SandboxBackend, SandboxConfig
from ippanel_mock.cli import build_parser, config_from_args, main

if TYPE_CHECKING:
    from sandbox_api import AppFactory


def webservice(recipients: list[str]) -> dict[str, object]:
    return {"sending_type": "webservice", "from_number": "+983000505", "message": "x",
            "params": {"recipients": recipients}}  # fmt: skip


def _send(backend: SandboxBackend, first: int, size: int) -> int:
    user = backend.users.get("sandbox")
    assert user is not None
    bulk = backend.outbox.create(
        user,
        sender="+983000505",
        text="retention",
        recipients=array("q", range(first, first + size)),
        sending_type="webservice",
    )
    return bulk.id


def test_row_cap_evicts_the_oldest_bulks_first() -> None:
    backend = SandboxBackend(SandboxConfig(outbox_max_recipients=10))
    ids = [_send(backend, 9_121_000_000 + 10 * i, 4) for i in range(4)]
    kept = [b.id for b in backend.outbox.for_user("sandbox")]
    assert kept == [ids[3], ids[2]]
    assert backend.outbox.stored_recipients == 8
    assert backend.outbox.evicted == 2
    assert backend.outbox.get("sandbox", ids[0]) is None


def test_bulk_cap_evicts_across_users_in_creation_order() -> None:
    backend = SandboxBackend(SandboxConfig(outbox_max_bulks=2))
    sandbox, ga = backend.users.get("sandbox"), backend.users.get("sandbox-ga")
    assert sandbox is not None
    assert ga is not None
    made = [
        backend.outbox.create(
            user, sender="+983000505", text="x", recipients=[9121234567], sending_type="normal"
        ).id
        for user in (sandbox, ga, sandbox)
    ]
    assert backend.outbox.count() == 2
    assert [b.id for b in backend.outbox.for_user("sandbox")] == [made[2]]
    assert [b.id for b in backend.outbox.for_user("sandbox-ga")] == [made[1]]


def test_newest_bulk_is_kept_even_over_the_row_cap() -> None:
    backend = SandboxBackend(SandboxConfig(outbox_max_recipients=3))
    _send(backend, 9_121_000_000, 2)
    newest = _send(backend, 9_122_000_000, 5)
    assert [b.id for b in backend.outbox.for_user("sandbox")] == [newest]


def test_reset_forgets_evictions_and_rows() -> None:
    backend = SandboxBackend(SandboxConfig(outbox_max_bulks=1))
    _send(backend, 9_121_000_000, 2)
    _send(backend, 9_121_000_000, 2)
    backend.reset()
    assert (backend.outbox.count(), backend.outbox.stored_recipients) == (0, 0)
    assert backend.outbox.evicted == 0


def test_default_caps_hold_the_million_recipient_benchmark() -> None:
    """The report benchmark stores 1,000 bulks of 1,000; the defaults must evict none."""
    backend = SandboxBackend()
    for i in range(1_000):
        _send(backend, 9_120_000_000 + 1_000 * i, 1_000)
    assert backend.outbox.stored_recipients == 1_000_000
    assert backend.outbox.evicted == 0
    assert backend.outbox.count() == 1_000


async def test_evicted_bulk_reads_as_not_found_over_http(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(outbox_max_bulks=2))
    first, second, third = [
        (await api.send_ids(webservice([f"0912123456{i}"])))[0] for i in range(3)
    ]
    status, body = await api.bulk(first)
    assert status == 404
    assert body["meta"]["message_code"] == "404-1"
    assert (await api.bulk(third))[0] == 200
    _, listed = await api.call(
        "report_new_list", "POST", "/api/report/new_list", json={"page": 1, "limit": 10}
    )
    assert [int(r["messages_outbox_id"]) for r in listed["data"]] == [third, second]
    assert listed["meta"]["total"] == 2


def test_cli_flags_set_every_retention_cap() -> None:
    argv = (
        "--max-messages 5 --max-journal 6 --max-outbox-recipients 7 --max-outbox-bulks 8 "
        "--max-phonebook-size 9 --max-phonebook-numbers 10 --pattern-review-delay 11"
    )
    config = config_from_args(build_parser().parse_args(argv.split()))
    assert (config.message_capacity, config.journal_capacity) == (5, 6)
    assert (config.outbox_max_recipients, config.outbox_max_bulks) == (7, 8)
    assert (config.phonebook_max_size, config.phonebook_max_numbers) == (9, 10)
    assert config.pattern_review_delay == 11
    defaults = config_from_args(build_parser().parse_args([]))
    assert defaults.outbox_max_recipients >= 1_000_000


@pytest.mark.parametrize(
    "flag",
    [
        "--max-messages", "--max-journal", "--max-outbox-recipients", "--max-outbox-bulks",
        "--max-phonebook-size", "--max-phonebook-numbers",
    ],
)  # fmt: skip
def test_non_positive_cap_is_a_usage_error(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([flag, "0"])
    assert info.value.code == 2
    assert "must be > 0" in capsys.readouterr().err
