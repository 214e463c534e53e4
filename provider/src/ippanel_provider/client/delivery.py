"""One delivery poll, written once for the sensor (sync) and the trigger (async). No Airflow.

``collect_snapshots``/``acollect_snapshots`` read each bulk's state and recipient counts;
``evaluate_delivery`` is a pure function from those snapshots to a verdict. The poke-mode sensor
and the deferred trigger call exactly these, so they always agree. Every verdict's message gives
the delivered/failed/pending counts per bulk and in total.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import (
    IPPanelRateLimitError,
    IPPanelResponseLostError,
    IPPanelServerError,
    IPPanelTransportError,
)
from .report_models import MessageStatus, OutboxState

if TYPE_CHECKING:
    from .aio import AsyncIPPanelClient
    from .report_models import BulkStats, OutboxBulk
    from .sync import IPPanelClient

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
"""``pending``: no status yet; ``sent``: at the operator (status 0 or 1), not final;
``delivered``, ``failed`` (not delivered), ``blacklisted``: final."""
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
class Tally:
    """Recipients by outcome: final (delivered, failed, blacklisted) or still pending."""

    recipients: int = 0
    delivered: int = 0
    failed: int = 0
    blacklisted: int = 0

    @property
    def pending(self) -> int:
        return self.recipients - self.delivered - self.failed - self.blacklisted

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.recipients + other.recipients,
            self.delivered + other.delivered,
            self.failed + other.failed,
            self.blacklisted + other.blacklisted,
        )

    def describe(self) -> str:
        return (
            f"{self.delivered} delivered, {self.failed} failed, {self.blacklisted} blacklisted, "
            f"{self.pending} pending"
        )


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
    def tally(self) -> Tally:
        total = self.recipients if self.recipients is not None else sum(self.counts.values())
        get = self.counts.get
        return Tally(total, get("delivered", 0), get("failed", 0), get("blacklisted", 0))

    @property
    def all_final(self) -> bool:
        if not self.counts or any(self.counts.get(k, 0) for k in _NON_FINAL):
            return False
        return self.tally.pending <= 0

    @property
    def delivered_ratio(self) -> float | None:
        tally = self.tally
        return round(tally.delivered / tally.recipients, 4) if tally.recipients else None

    def describe(self) -> str:
        state = self.state
        name = f"state {self.state_id}" if state is None else state.name.lower().replace("_", " ")
        return f"bulk {self.outbox_id} ({name}): {self.tally.describe()}"

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


BULKS_DESCRIBED = 10
"""Bulks listed one by one in a message; the rest are only in the total (and the summary)."""


def describe_counts(snapshots: Sequence[BulkSnapshot]) -> str:
    """``"5 recipient(s) in 2 bulk(s): ... [bulk 1 (sent): ...; bulk 2 (sent): ...]"``."""
    total = sum((s.tally for s in snapshots), Tally())
    bulks = "; ".join(s.describe() for s in snapshots[:BULKS_DESCRIBED])
    if len(snapshots) > BULKS_DESCRIBED:
        bulks += f"; {len(snapshots) - BULKS_DESCRIBED} more bulk(s)"
    head = f"{total.recipients} recipient(s) in {len(snapshots)} bulk(s)"
    return f"{head}: {total.describe()} [{bulks}]"


def evaluate_delivery(
    snapshots: Sequence[BulkSnapshot],
    wait_for: str,
    min_delivered_ratio: float | None = None,
) -> DeliveryVerdict:
    """Decide from one poll's snapshots; failures win over waiting so a task fails fast.

    With ``min_delivered_ratio`` the verdict comes as soon as it is certain: once enough
    recipients are delivered (success), or once too many failed for the rest to make up
    (failure), even while some recipients have no final status yet.
    """
    summary = {str(s.outbox_id): s.to_json() for s in snapshots}
    failed = [s for s in snapshots if s.state is not None and s.state.is_failure]
    if failed:
        text = "; ".join(
            f"bulk {s.outbox_id} ended in state {s.state_id} ({s.state.meaning if s.state else ''})"
            for s in failed
        )
        return DeliveryVerdict("failure", f"IPPanel did not send: {text}", summary)
    counts = describe_counts(snapshots)
    unsent = [s for s in snapshots if s.state is not OutboxState.SENT]
    if unsent:
        ids = ", ".join(str(s.outbox_id) for s in unsent)
        message = f"Waiting for bulk(s) {ids} to be sent; {counts}"
        return DeliveryVerdict("waiting", message, summary)
    if wait_for != "delivered":
        return DeliveryVerdict("success", f"All {len(snapshots)} bulk(s) sent; {counts}", summary)
    total = sum((s.tally for s in snapshots), Tally())
    finished = all(s.all_final for s in snapshots)
    if min_delivered_ratio is not None and total.recipients:
        best = (total.delivered + total.pending) / total.recipients
        if total.delivered / total.recipients >= min_delivered_ratio:
            early = "" if finished else f" ({total.pending} still pending, not waited for)"
            return DeliveryVerdict(
                "success",
                f"Delivered ratio {total.delivered / total.recipients:.1%} reached the required "
                f"{min_delivered_ratio:.1%}{early}; {counts}",
                summary,
            )
        if best < min_delivered_ratio or finished:
            ratio = total.delivered / total.recipients
            at_most = f" and at most {best:.1%} can be" if total.pending else ""
            return DeliveryVerdict(
                "failure",
                f"Only {total.delivered} of {total.recipients} recipient(s) delivered "
                f"({ratio:.1%}){at_most} across {len(snapshots)} bulk(s); at least "
                f"{min_delivered_ratio:.1%} required; {counts}",
                summary,
            )
    if not finished:
        return DeliveryVerdict(
            "waiting", f"Waiting for every recipient to have a final status; {counts}", summary
        )
    return DeliveryVerdict("success", f"Every recipient has a final status; {counts}", summary)


def timeout_message(snapshots: Sequence[BulkSnapshot], wait_for: str) -> str:
    """Why a wait ended at its timeout, naming recipients stuck without a final status."""
    if not snapshots:
        return "Timed out before IPPanel answered a single poll"
    total = sum((s.tally for s in snapshots), Tally())
    stuck = ""
    if (
        wait_for == "delivered"
        and total.pending
        and not any(s.state is not OutboxState.SENT for s in snapshots)
    ):
        stuck = (
            f"; {total.pending} recipient(s) never got a final status (the operator left them at "
            "'sent to operator' or 'operator received'); set min_delivered_ratio to finish once "
            "enough are delivered"
        )
    return f"Timed out waiting for bulk(s) to be {wait_for}{stuck}; {describe_counts(snapshots)}"


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
