"""One delivery poll, written once for the sensor (sync) and the trigger (async).

``collect_snapshots``/``acollect_snapshots`` read each bulk's state and recipient counts;
``evaluate_delivery`` is a pure function from those snapshots to a verdict. Both the poke-mode
sensor and the deferred trigger call exactly these, so they always agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ippanel_provider.client.errors import (
    IPPanelRateLimitError,
    IPPanelResponseLostError,
    IPPanelServerError,
    IPPanelTransportError,
)
from ippanel_provider.client.models import MessageStatus, OutboxState

if TYPE_CHECKING:
    from ippanel_provider.client import AsyncIPPanelClient, IPPanelClient
    from ippanel_provider.client.models import BulkStats, OutboxBulk

WaitFor = Literal["sent", "delivered"]
WAIT_FOR_VALUES: tuple[str, ...] = ("sent", "delivered")

TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    IPPanelRateLimitError,
    IPPanelServerError,
    IPPanelTransportError,
    IPPanelResponseLostError,
)
"""Poll errors that say nothing about the bulks: log them and poll again."""

COUNT_KEYS = ("pending", "sent", "delivered", "failed", "blacklisted")
_NON_FINAL = ("pending", "sent")
_STATS_CATEGORY = {"blacklisted": "blacklist"}
_STATUS_KEY = {
    MessageStatus.SENT_TO_OPERATOR: "sent",
    MessageStatus.OPERATOR_RECEIVED: "sent",
    MessageStatus.DELIVERED: "delivered",
    MessageStatus.NOT_DELIVERED: "failed",
    MessageStatus.BLACKLISTED: "blacklisted",
}


def coerce_outbox_ids(value: Any) -> list[int]:
    """Outbox ids from an int, a string (``"1,2"`` or JSON), or a (nested) list of them.

    A list of lists is what a mapped send task's XCom looks like, so one level is flattened.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return coerce_outbox_ids(json.loads(text))
        value = [part for part in text.replace(";", ",").split(",") if part.strip()]
    items: Iterable[Any] = [value] if isinstance(value, int) else value
    if isinstance(value, Mapping) or not isinstance(items, Iterable):
        raise TypeError(f"outbox_ids must be ids or a list of ids, got {type(value).__name__}")
    ids: list[int] = []
    for item in items:
        if isinstance(item, list | tuple):
            ids += coerce_outbox_ids(list(item))
            continue
        if isinstance(item, bool):
            raise TypeError("outbox_ids must be integers, got a boolean")
        try:
            number = int(str(item).strip())
        except ValueError:
            raise ValueError(f"outbox id {item!r} is not an integer") from None
        if number <= 0:
            raise ValueError(f"outbox id {number} must be positive")
        ids.append(number)
    if not ids:
        raise ValueError("outbox_ids is empty: nothing to wait for")
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class BulkSnapshot:
    """What one poll saw of one bulk."""

    outbox_id: int
    state_id: int | None
    recipients: int | None = None
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def state(self) -> OutboxState | None:
        try:
            return OutboxState(self.state_id) if self.state_id is not None else None
        except ValueError:
            return None

    @property
    def final_count(self) -> int:
        return sum(n for k, n in self.counts.items() if k not in _NON_FINAL)

    @property
    def all_final(self) -> bool:
        if not self.counts or any(self.counts.get(k, 0) for k in _NON_FINAL):
            return False
        return self.recipients is None or self.final_count >= self.recipients

    @property
    def delivered_ratio(self) -> float | None:
        total = self.recipients or sum(self.counts.values())
        return round(self.counts.get("delivered", 0) / total, 4) if total else None

    def to_json(self) -> dict[str, Any]:
        state = self.state
        return {
            "state_id": self.state_id,
            "state": state.meaning if state is not None else "unknown",
            "recipients": self.recipients,
            "counts": dict(self.counts),
            "delivered_ratio": self.delivered_ratio,
        }


@dataclass(frozen=True)
class DeliveryVerdict:
    """The outcome of one poll: keep waiting, or finished with success or failure."""

    status: Literal["waiting", "success", "failure"]
    message: str
    summary: dict[str, dict[str, Any]]


def evaluate_delivery(
    snapshots: Sequence[BulkSnapshot],
    wait_for: str,
    min_delivered_ratio: float | None = None,
) -> DeliveryVerdict:
    """Decide from one poll's snapshots; failures win over waiting so a task fails fast."""
    summary = {str(s.outbox_id): s.to_json() for s in snapshots}
    failed = [s for s in snapshots if s.state is not None and s.state.is_failure]
    if failed:
        text = "; ".join(
            f"bulk {s.outbox_id} ended in state {s.state_id} ({s.state.meaning if s.state else ''})"
            for s in failed
        )
        return DeliveryVerdict("failure", f"IPPanel did not send: {text}", summary)
    pending = [s for s in snapshots if s.state is not OutboxState.SENT]
    if wait_for == "delivered":
        pending += [s for s in snapshots if s.state is OutboxState.SENT and not s.all_final]
    if pending:
        ids = ", ".join(str(s.outbox_id) for s in pending)
        return DeliveryVerdict("waiting", f"waiting for bulk(s) {ids} to be {wait_for}", summary)
    if min_delivered_ratio is not None:
        delivered = sum(s.counts.get("delivered", 0) for s in snapshots)
        total = sum(s.recipients or sum(s.counts.values()) for s in snapshots)
        ratio = delivered / total if total else 0.0
        if ratio < min_delivered_ratio:
            return DeliveryVerdict(
                "failure",
                f"Only {delivered} of {total} recipient(s) delivered ({ratio:.1%}) across "
                f"{len(snapshots)} bulk(s); at least {min_delivered_ratio:.1%} required",
                summary,
            )
    return DeliveryVerdict("success", f"all {len(snapshots)} bulk(s) {wait_for}", summary)


def _counts_from_stats(stats: BulkStats) -> dict[str, int]:
    return {key: stats.total(_STATS_CATEGORY.get(key, key)) for key in COUNT_KEYS}


def _counts_from_statuses(statuses: Iterable[MessageStatus | None]) -> dict[str, int]:
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for status in statuses:
        counts[_STATUS_KEY[status] if status is not None else "pending"] += 1
    return counts


def _needs_recipient_scan(bulk: OutboxBulk, counts: Mapping[str, int]) -> bool:
    """bulk_stats only splits by MCI/Irancell; other operators' recipients need a scan."""
    return bulk.rcpts_count is not None and sum(counts.values()) < bulk.rcpts_count


def _snapshot(bulk: OutboxBulk, counts: Mapping[str, int]) -> BulkSnapshot:
    state = int(bulk.state_id) if bulk.state_id is not None else None
    return BulkSnapshot(bulk.messages_outbox_id, state, bulk.rcpts_count, counts)


def collect_snapshots(client: IPPanelClient, outbox_ids: Sequence[int]) -> list[BulkSnapshot]:
    """Read every bulk's state and, once sent, its recipient counts."""
    snapshots = []
    for outbox_id in outbox_ids:
        bulk = client.bulk_report(outbox_id)
        counts: dict[str, int] = {}
        if bulk.state_id == OutboxState.SENT:
            counts = _counts_from_stats(client.bulk_stats(outbox_id))
            if _needs_recipient_scan(bulk, counts):
                statuses = (r.message_status for r in client.iter_bulk_recipients(outbox_id))
                counts = _counts_from_statuses(statuses)
        snapshots.append(_snapshot(bulk, counts))
    return snapshots


async def acollect_snapshots(
    client: AsyncIPPanelClient, outbox_ids: Sequence[int]
) -> list[BulkSnapshot]:
    """:func:`collect_snapshots` for the async client."""
    snapshots = []
    for outbox_id in outbox_ids:
        bulk = await client.bulk_report(outbox_id)
        counts: dict[str, int] = {}
        if bulk.state_id == OutboxState.SENT:
            counts = _counts_from_stats(await client.bulk_stats(outbox_id))
            if _needs_recipient_scan(bulk, counts):
                statuses = [r.message_status async for r in client.iter_bulk_recipients(outbox_id)]
                counts = _counts_from_statuses(statuses)
        snapshots.append(_snapshot(bulk, counts))
    return snapshots
