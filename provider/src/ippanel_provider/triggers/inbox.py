"""Deferred wait for a received SMS, run by the triggerer (or inline by ``airflow dags test``).

The trigger only reads the inbox report, from a watermark (``from_id``) that only grows: a
restarted triggerer starts again from the serialized one and finds the same replies. Its deadline
is an absolute epoch time, so a restart keeps the original timeout.

Imports stay light (the triggerer imports this module on its event loop): Airflow's base class
only; ``run()`` loads the query, the hook and the async client in a worker thread first.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import AsyncIterator, Mapping
from types import ModuleType
from typing import Any

from ippanel_provider.airflow_compat import BaseTrigger, TriggerEvent

CLASSPATH = "ippanel_provider.triggers.inbox.IPPanelInboxTrigger"


def _import_off_the_loop() -> tuple[ModuleType, ModuleType, ModuleType]:
    """The inbox query, the transient-error list and the hook module, with the async client."""
    inbox = importlib.import_module("ippanel_provider.client.inbox")
    delivery = importlib.import_module("ippanel_provider.client.delivery")
    hooks = importlib.import_module("ippanel_provider.hooks.ippanel")
    from ippanel_provider.client import AsyncIPPanelClient  # noqa: F401  (loads the transport)

    return inbox, delivery, hooks


class IPPanelInboxTrigger(BaseTrigger):
    """Read new received SMS every ``poke_interval`` seconds until one matches ``query``.

    Fires one event: ``{"status": "success", "result": {"chosen_options", "message",
    "messages"}, "message": str}``, ``{"status": "timeout", ...}`` once ``deadline`` (epoch
    seconds) passes, or ``{"status": "failure", ...}`` when IPPanel refuses the reads (bad API
    key). Rate limits, 5xx answers and network errors are logged and read through.

    :param query: an ``InboxQuery.to_json()``: senders, line, text / pattern / options,
        received_after.
    :param from_id: read only messages above this id (what the sensor already read).
    :param ippanel_conn_id: the Airflow connection.
    :param poke_interval: seconds between reads (default 10).
    :param deadline: epoch seconds after which the wait ends as a timeout (None: never).
    """

    def __init__(
        self,
        *,
        query: Mapping[str, Any],
        from_id: int | None = None,
        ippanel_conn_id: str = "ippanel_default",
        poke_interval: float = 10.0,
        deadline: float | None = None,
    ) -> None:
        super().__init__()
        self.query = dict(query)
        self.from_id = from_id
        self.ippanel_conn_id = ippanel_conn_id
        self.poke_interval = float(poke_interval)
        self.deadline = deadline

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            CLASSPATH,
            {
                "query": dict(self.query),
                "from_id": self.from_id,
                "ippanel_conn_id": self.ippanel_conn_id,
                "poke_interval": self.poke_interval,
                "deadline": self.deadline,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        inbox, delivery, hooks = await asyncio.to_thread(_import_off_the_loop)
        from ippanel_provider.client.errors import IPPanelError

        hook = hooks.IPPanelAsyncHook(self.ippanel_conn_id)
        try:
            query = inbox.InboxQuery.from_json(self.query)
            wanted = query.describe()
            client = await hook.get_conn()
            while True:
                try:
                    scan = await client.search_inbox(query, from_id=self.from_id)
                except delivery.TRANSIENT_ERRORS as exc:
                    self.log.warning("IPPanel inbox read failed, reading again: %s", exc)
                else:
                    self.from_id = scan.last_id
                    if scan.matches:
                        result = scan.result(query)
                        message = f"Received {wanted}: {result['message']}"
                        yield TriggerEvent(
                            {"status": "success", "message": message, "result": result}
                        )
                        return
                    self.log.info("Waiting for %s (%d new message(s) read)", wanted, scan.read)
                remaining = None if self.deadline is None else self.deadline - time.time()
                if remaining is not None and remaining <= 0:
                    message = f"No reply: waited for {wanted}"
                    yield TriggerEvent({"status": "timeout", "message": message})
                    return
                wait = self.poke_interval
                await asyncio.sleep(wait if remaining is None else min(wait, remaining))
        except (IPPanelError, ValueError) as exc:
            yield TriggerEvent({"status": "failure", "message": f"IPPanel: {exc}"})
        finally:
            await hook.close()
