"""Deferred wait for IPPanel bulks, run by the triggerer (or inline by ``airflow dags test``).

The trigger only reads reports: no side effects, so the triggerer may restart or run it twice.
Its deadline is an absolute epoch time, so a restarted triggerer keeps the original timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from ippanel_provider.airflow_compat import BaseTrigger, TriggerEvent
from ippanel_provider.sensors.delivery_check import (
    TRANSIENT_ERRORS,
    DeliveryVerdict,
    acollect_snapshots,
    evaluate_delivery,
)

CLASSPATH = "ippanel_provider.triggers.delivery.IPPanelDeliveryTrigger"


class IPPanelDeliveryTrigger(BaseTrigger):
    """Poll bulks until they are sent/delivered, fail, or ``deadline`` (epoch seconds) passes.

    Fires one event ``{"status": "success"|"failure"|"timeout", "message": str, "summary": {...}}``.
    Rate limits, 5xx answers and network errors are logged and polled through.
    """

    def __init__(
        self,
        *,
        outbox_ids: Sequence[int],
        wait_for: str = "sent",
        min_delivered_ratio: float | None = None,
        ippanel_conn_id: str = "ippanel_default",
        poke_interval: float = 60.0,
        deadline: float | None = None,
    ) -> None:
        super().__init__()
        self.outbox_ids = [int(i) for i in outbox_ids]
        self.wait_for = wait_for
        self.min_delivered_ratio = min_delivered_ratio
        self.ippanel_conn_id = ippanel_conn_id
        self.poke_interval = float(poke_interval)
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
                "deadline": self.deadline,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from ippanel_provider.client.errors import IPPanelError
        from ippanel_provider.hooks.ippanel import IPPanelAsyncHook

        summary: dict[str, Any] = {}
        hook = IPPanelAsyncHook(self.ippanel_conn_id)
        try:
            client = await hook.get_conn()
            while True:
                try:
                    snapshots = await acollect_snapshots(client, self.outbox_ids)
                except TRANSIENT_ERRORS as exc:
                    self.log.warning("IPPanel poll failed, polling again: %s", exc)
                else:
                    verdict = evaluate_delivery(snapshots, self.wait_for, self.min_delivered_ratio)
                    summary = verdict.summary
                    if verdict.status != "waiting":
                        yield self._event(verdict)
                        return
                    self.log.info("%s", verdict.message)
                remaining = None if self.deadline is None else self.deadline - time.time()
                if remaining is not None and remaining <= 0:
                    yield TriggerEvent(
                        {
                            "status": "timeout",
                            "message": f"Timed out waiting for bulk(s) {self.outbox_ids} "
                            f"to be {self.wait_for}",
                            "summary": summary,
                        }
                    )
                    return
                await asyncio.sleep(
                    self.poke_interval if remaining is None else min(self.poke_interval, remaining)
                )
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
