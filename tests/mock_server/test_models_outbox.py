"""Outbox lifecycle over the clock, magic numbers, credit, cancel, isolation, history."""

from __future__ import annotations

import pytest
from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.history import postal_audience
from ippanel_mock.models.outbox import BulkFilters, CancelOutcome, Phase
from ippanel_mock.models.patterns import PatternParamsError, PatternStore


@pytest.fixture
def backend() -> SandboxBackend:
    return SandboxBackend(SandboxConfig(delivery_delay=10.0))


def make_bulk(backend: SandboxBackend, numbers: list[int], *, user: str = "sandbox", **kw):  # type: ignore[no-untyped-def]
    account = backend.users.get(user)
    assert account is not None
    return backend.outbox.create(
        account, sender="+983000505", text=kw.pop("text", "سلام"), recipients=numbers,
        sending_type="webservice", **kw,
    )  # fmt: skip


def test_lifecycle_follows_the_clock(backend: SandboxBackend) -> None:
    bulk = make_bulk(backend, [9121230003, 9121234567])
    now = backend.clock.now
    assert bulk.state_id(now()) == 2
    assert [s for _, s in bulk.page(now(), 0, 10)] == [0, 0]
    backend.clock.advance(5)
    assert bulk.state_id(now()) == 6
    assert [s for _, s in bulk.page(now(), 0, 10)] == [1, 1]
    backend.clock.advance(5)
    assert [s for _, s in bulk.page(now(), 0, 10)] == [3, 2]


def test_scheduled_bulk_waits_in_queue(backend: SandboxBackend) -> None:
    bulk = make_bulk(backend, [9121234567], send_time=backend.clock.now() + 3600)
    assert bulk.state_id(backend.clock.now()) == 5
    assert list(bulk.page(backend.clock.now(), 0, 1)) == [("+989121234567", None)]
    backend.clock.advance(3600 + 10)
    assert bulk.state_id(backend.clock.now()) == 6


def test_counts_are_precomputed_per_operator_and_final_status(backend: SandboxBackend) -> None:
    bulk = make_bulk(backend, [9121230000, 9121230004, 9351234567, 9201234567])
    backend.clock.advance(60)
    counts = bulk.status_counts(backend.clock.now())
    assert counts["mci"] == {0: 1, 1: 0, 2: 0, 3: 0, 4: 1}
    assert counts["irancell"][2] == 1
    assert counts["other"][2] == 1


def test_insufficient_credit_forces_state_8_and_debits_nothing(backend: SandboxBackend) -> None:
    backend.users.set_credit("sandbox", 1000)
    bulk = make_bulk(backend, [9121234567])
    assert bulk.state_id(backend.clock.now()) == 8
    assert backend.users.get("sandbox").credit == 1000  # type: ignore[union-attr]
    assert next(bulk.page(backend.clock.now(), 0, 1))[1] is None


def test_cost_is_debited(backend: SandboxBackend) -> None:
    before = backend.users.get("sandbox").credit  # type: ignore[union-attr]
    bulk = make_bulk(backend, [9121234567, 9351234567], text="hello")
    assert bulk.cost == 2 * 3325
    assert backend.users.get("sandbox").credit == before - bulk.cost  # type: ignore[union-attr]


def test_cancel_only_scheduled_bulks_five_minutes_ahead(backend: SandboxBackend) -> None:
    user = backend.users.get("sandbox")
    assert user is not None
    credit = user.credit
    later = make_bulk(backend, [9121234567], send_time=backend.clock.now() + 3600)
    soon = make_bulk(backend, [9121234567], send_time=backend.clock.now() + 200)
    now_bulk = make_bulk(backend, [9121234567])
    assert backend.outbox.cancel(user, soon.id) is CancelOutcome.NOT_CANCELABLE
    assert backend.outbox.cancel(user, now_bulk.id) is CancelOutcome.NOT_CANCELABLE
    assert backend.outbox.cancel(user, 1) is CancelOutcome.NOT_FOUND
    assert backend.outbox.cancel(user, later.id) is CancelOutcome.CANCELED
    assert later.state_id(backend.clock.now()) == 7
    assert user.credit == credit - soon.cost - now_bulk.cost


def test_users_never_see_each_others_bulks(backend: SandboxBackend) -> None:
    bulk = make_bulk(backend, [9121234567], user="sandbox-ga")
    assert backend.outbox.get("sandbox", bulk.id) is None
    assert backend.outbox.get("sandbox-ga", bulk.id) is bulk
    assert backend.outbox.for_user("sandbox") == []


def test_filters(backend: SandboxBackend) -> None:
    a = make_bulk(backend, [9121234567], text="تست یک")
    b = make_bulk(backend, [9121234567], text="other", send_time=backend.clock.now() + 999)
    assert backend.outbox.for_user("sandbox") == [b, a]
    assert backend.outbox.for_user("sandbox", BulkFilters(message="تست")) == [a]
    assert backend.outbox.for_user("sandbox", BulkFilters(state_id=5)) == [b]
    assert backend.outbox.for_user("sandbox", BulkFilters(messages_outbox_id=a.id)) == [a]


def test_ids_are_deterministic_after_reset(backend: SandboxBackend) -> None:
    first = make_bulk(backend, [9121234567]).id
    backend.reset()
    assert make_bulk(backend, [9121234567]).id == first == 1_100_000_001


def test_history_is_deterministic_per_seed() -> None:
    one = SandboxBackend(SandboxConfig(history=20, seed=7)).outbox.for_user("sandbox")
    two = SandboxBackend(SandboxConfig(history=20, seed=7)).outbox.for_user("sandbox")
    assert len(one) == 20

    def summary(bulks: list) -> list:  # type: ignore[type-arg]
        return [(b.text, list(b.digits(0, b.size))) for b in bulks]

    assert summary(one) == summary(two)
    assert all(b.phase(b.created_at + 1e9) is Phase.FINAL for b in one)


def test_postal_audience_is_seeded_and_sliceable() -> None:
    whole = postal_audience(0, 131, "mci", 0, 10)
    assert postal_audience(0, 131, "mci", 0, 10) == whole
    assert postal_audience(0, 131, "mci", 3, 4) == whole[3:7]
    assert postal_audience(1, 131, "mci", 0, 10) != whole


def test_patterns_render_and_report_bad_params() -> None:
    store = PatternStore()
    store.reset()
    otp = store.get("sandbox-otp")
    assert otp is not None
    assert otp.render({"code": "1234"}) == "کد تایید شما: 1234"
    with pytest.raises(PatternParamsError) as caught:
        otp.render({"cod": "1"})
    assert caught.value.missing == ["code"]
    assert caught.value.extra == ["cod"]
