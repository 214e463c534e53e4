"""Deferred wait for IPPanel bulks, run by the triggerer (or inline by ``airflow dags test``).

The trigger only reads reports: no side effects, so the triggerer may restart or run it twice.
Its deadline is an absolute epoch time, so a restarted triggerer keeps the original timeout.

The triggerer imports this module, and runs ``run()``, on its event loop: an import there
stalls every other trigger. So the module imports only Airflow's base class, and ``run()``
imports the poll, the hook and the async client (aiohttp) in a worker thread first.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ippanel_provider.airflow_compat import BaseTrigger, TriggerEvent

if TYPE_CHECKING:
    from ippanel_provider.client.delivery import BulkSnapshot, DeliveryVerdict

CLASSPATH = "ippanel_provider.triggers.delivery.IPPanelDeliveryTrigger"


def poll_intervals(first: float, most: float | None) -> Any:
    """``first``, then doubling up to ``most`` (``None``: always ``first``)."""
    interval = first
    while True:
        yield interval
        if most is not None:
            interval = min(interval * 2, max(most, first))


def _import_off_the_loop() -> tuple[ModuleType, ModuleType]:
    """The delivery poll and the hook module, with the async client they use."""
    delivery = importlib.import_module("ippanel_provider.client.delivery")
    hooks = importlib.import_module("ippanel_provider.hooks.ippanel")
    from ippanel_provider.client import AsyncIPPanelClient  # noqa: F401  (loads the transport)

    return delivery, hooks


class IPPanelDeliveryTrigger(BaseTrigger):
    """Poll bulks until they are sent/delivered, fail, or ``deadline`` (epoch seconds) passes.

    Fires one event ``{"status": "success"|"failure"|"timeout", "message": str, "summary": {...}}``.
    Rate limits, 5xx answers and network errors are logged and polled through.

    :param outbox_ids: the bulk ids to wait for.
    :param wait_for: ``"sent"`` (every bulk in state 6) or ``"delivered"`` (also every
        recipient final), as for the sensor.
    :param min_delivered_ratio: with ``wait_for="delivered"``, succeed once this share (0..1)
        of all recipients is delivered; fail once it is out of reach.
    :param ippanel_conn_id: the Airflow connection of type ``ippanel``, read with the async
        hook.
    :param poke_interval: seconds before the second poll (default 2: an SMS is often delivered
        within seconds).
    :param max_poke_interval: with it, each wait doubles up to this many seconds; without it,
        every wait is ``poke_interval``.
    :param deadline: unix time (seconds) at which the trigger gives up with a ``timeout``
        event; None waits for ever (the sensor passes its ``timeout``).
    """

    def __init__(
        self,
        *,
        outbox_ids: Sequence[int],
        wait_for: str = "sent",
        min_delivered_ratio: float | None = None,
        ippanel_conn_id: str = "ippanel_default",
        poke_interval: float = 2.0,
        max_poke_interval: float | None = None,
        deadline: float | None = None,
    ) -> None:
        super().__init__()
        self.outbox_ids = [int(i) for i in outbox_ids]
        self.wait_for = wait_for
        self.min_delivered_ratio = min_delivered_ratio
        self.ippanel_conn_id = ippanel_conn_id
        self.poke_interval = float(poke_interval)
        self.max_poke_interval = None if max_poke_interval is None else float(max_poke_interval)
        self.deadline = deadline

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            CLASSPATH,
            {
                "outbox_ids": list(self.outbox_ids),
                "wait_for": self.wait_for,
                "min_delivered_ratio": self.min_delivered_ratio,
                "ippanel_conn_id": self.ippanel_conn_id,
                "poke_interval": self.poke_interval,
                "max_poke_interval": self.max_poke_interval,
                "deadline": self.deadline,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        delivery, hooks = await asyncio.to_thread(_import_off_the_loop)
        from ippanel_provider.client.errors import IPPanelError

        snapshots: list[BulkSnapshot] = []
        summary: dict[str, Any] = {}
        intervals = poll_intervals(self.poke_interval, self.max_poke_interval)
        hook = hooks.IPPanelAsyncHook(self.ippanel_conn_id)
        try:
            client = await hook.get_conn()
            while True:
                try:
                    snapshots = await delivery.acollect_snapshots(client, self.outbox_ids)
                except delivery.TRANSIENT_ERRORS as exc:
                    self.log.warning("IPPanel poll failed, polling again: %s", exc)
                else:
                    verdict = delivery.evaluate_delivery(
                        snapshots, self.wait_for, self.min_delivered_ratio
                    )
                    summary = verdict.summary
                    if verdict.status != "waiting":
                        yield self._event(verdict)
                        return
                    self.log.info("%s", verdict.message)
                remaining = None if self.deadline is None else self.deadline - time.time()
                if remaining is not None and remaining <= 0:
                    message = delivery.timeout_message(snapshots, self.wait_for)
                    yield TriggerEvent(
                        {"status": "timeout", "message": message, "summary": summary}
                    )
                    return
                wait = next(intervals)
                await asyncio.sleep(wait if remaining is None else min(wait, remaining))
        except (IPPanelError, ValueError) as exc:
            yield TriggerEvent(
                {"status": "failure", "message": f"IPPanel: {exc}", "summary": summary}
            )
        finally:
            await hook.close()

    @staticmethod
    def _event(verdict: DeliveryVerdict) -> TriggerEvent:
        return TriggerEvent(
            {"status": verdict.status, "message": verdict.message, "summary": verdict.summary}
        )
