"""Wait until IPPanel bulks are sent or delivered (poke mode, reschedule mode or deferred)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ippanel_provider.airflow_compat import (
    AfterRenderMixin,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Context
    from ippanel_provider.client.delivery import DeliveryVerdict

DEFAULT_TIMEOUT = 60 * 60.0
DEFAULT_POKE_INTERVAL = 2.0
DEFAULT_MAX_WAIT = 60.0


def _seconds(value: float | timedelta | None) -> float | None:
    return value.total_seconds() if isinstance(value, timedelta) else value


class IPPanelDeliverySensor(AfterRenderMixin, BaseSensorOperator):
    """Wait for IPPanel bulks and return a per-bulk summary (XCom).

    :param outbox_ids: bulk ids: an int, a list, a comma-separated string, or a send task's
        XCom (``send.output``; lists from mapped sends are flattened). Templated.
    :param wait_for: ``"sent"``: every bulk reached state 6 (sent). ``"delivered"``: also every
        recipient has a final status (delivered, not delivered or blacklisted).
    :param min_delivered_ratio: with ``wait_for="delivered"``: succeed as soon as this share
        (0..1) of all recipients, over all the bulks, is delivered; fail as soon as too many
        failed to reach it. Recipients still without a final status do not hold it up.
    :param ippanel_conn_id: the Airflow connection of type ``ippanel`` to poll through.
    :param deferrable: wait in the triggerer instead of a worker slot (default: Airflow's
        ``[operators] default_deferrable``).
    :param timeout: seconds before the task fails with ``AirflowSensorTimeout`` (default one
        hour: operators report delivery within minutes, while a phone that stays off can keep a
        recipient at "sent to operator" for days). The message counts the recipients that never
        got a final status.
    :param poke_interval: seconds before the second check (default 2: an SMS is often delivered
        in seconds). With ``exponential_backoff`` (the default) each wait then doubles, up to
        ``max_wait`` (default 60 s), so an hour's wait costs about 60 polls.
    :param exponential_backoff: double the wait after each check (default True); False polls
        every ``poke_interval``.
    :param max_wait: the longest wait between two checks, in seconds (default 60); None for
        no bound.
    :param kwargs: Airflow's ``BaseSensorOperator`` arguments (``task_id``, ``mode``, ...).

    Every check logs the delivered, failed, blacklisted and pending counts per bulk and in
    total. A bulk that ends in state 3 (rejected), 4 (invalid recipients), 7 (canceled),
    8 (insufficient credit) or 9 (system error) fails the task without retries.

    The summary looks like ``{"1100000001": {"state_id": 6, "state": "...", "recipients": 2,
    "counts": {"delivered": 2, ...}, "delivered_ratio": 1.0}}``.
    """

    template_fields: Sequence[str] = ("outbox_ids",)
    ui_color = "#d5f5e3"

    def __init__(
        self,
        *,
        outbox_ids: Any,
        wait_for: str = "sent",
        min_delivered_ratio: float | None = None,
        ippanel_conn_id: str = "ippanel_default",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        timeout: float | timedelta = DEFAULT_TIMEOUT,
        poke_interval: float | timedelta = DEFAULT_POKE_INTERVAL,
        exponential_backoff: bool = True,
        max_wait: float | timedelta | None = DEFAULT_MAX_WAIT,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            timeout=timeout,
            poke_interval=poke_interval,
            exponential_backoff=exponential_backoff,
            max_wait=max_wait,
            **kwargs,
        )
        if wait_for not in ("sent", "delivered"):
            raise ValueError(f"wait_for must be 'sent' or 'delivered', got {wait_for!r}")
        if min_delivered_ratio is not None:
            if not 0 <= min_delivered_ratio <= 1:
                raise ValueError(
                    f"min_delivered_ratio must be between 0 and 1, got {min_delivered_ratio!r}"
                )
            if wait_for != "delivered":
                raise ValueError("min_delivered_ratio needs wait_for='delivered'")
        self.outbox_ids = outbox_ids
        self.wait_for = wait_for
        self.min_delivered_ratio = min_delivered_ratio
        self.ippanel_conn_id = ippanel_conn_id
        self.deferrable = deferrable
        self._last_message: str | None = None

    def _after_render(self) -> None:
        # Resolved once rendered, so the rendered-fields view lists the ids (instead of an
        # unevaluated LazyXComSequence) and a bad value fails before the first poll.
        self.outbox_ids = self._ids()

    def _ids(self) -> list[int]:
        from ippanel_provider.client.delivery import coerce_outbox_ids

        return coerce_outbox_ids(self.outbox_ids)

    def check_once(self) -> DeliveryVerdict | None:
        """One poll; ``None`` when IPPanel could not be asked (logged, try again later)."""
        from ippanel_provider.client.delivery import (
            TRANSIENT_ERRORS,
            collect_snapshots,
            evaluate_delivery,
            timeout_message,
        )
        from ippanel_provider.hooks.ippanel import IPPanelHook

        with IPPanelHook(self.ippanel_conn_id) as hook:
            try:
                snapshots = collect_snapshots(hook.get_conn(), self._ids())
            except TRANSIENT_ERRORS as exc:
                self.log.warning("IPPanel poll failed, will poll again: %s", exc)
                return None
        self._last_message = timeout_message(snapshots, self.wait_for)
        return evaluate_delivery(snapshots, self.wait_for, self.min_delivered_ratio)

    def poke(self, context: Context) -> bool | PokeReturnValue:
        verdict = self.check_once()
        if verdict is None:
            return False
        self.log.info("%s", verdict.message)
        if verdict.status == "failure":
            from ippanel_provider.airflow_compat import AirflowFailException

            raise AirflowFailException(verdict.message)
        if verdict.status == "waiting":
            return False
        return PokeReturnValue(is_done=True, xcom_value=verdict.summary)

    def execute(self, context: Context) -> Any:
        from ippanel_provider.airflow_compat import AirflowSensorTimeout

        if not self.deferrable:
            try:
                return super().execute(context)
            except AirflowSensorTimeout as exc:
                if self._last_message is None:
                    raise
                raise AirflowSensorTimeout(f"{exc} {self._last_message}") from exc
        result = self.poke(context)
        if isinstance(result, PokeReturnValue):
            return result.xcom_value
        from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger

        timeout = _seconds(self.timeout)
        max_wait = _seconds(self.max_wait) if self.exponential_backoff else None
        self.defer(
            trigger=IPPanelDeliveryTrigger(
                outbox_ids=self._ids(),
                wait_for=self.wait_for,
                min_delivered_ratio=self.min_delivered_ratio,
                ippanel_conn_id=self.ippanel_conn_id,
                poke_interval=float(_seconds(self.poke_interval) or DEFAULT_POKE_INTERVAL),
                max_poke_interval=max_wait,
                deadline=time.time() + timeout if timeout is not None else None,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=timeout + 60) if timeout is not None else None,
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger fired: return the summary or fail with its message."""
        from ippanel_provider.airflow_compat import AirflowFailException, AirflowSensorTimeout

        status = event.get("status")
        if status == "success":
            self.log.info("%s", event.get("message"))
            return dict(event.get("summary") or {})
        if status == "timeout":
            raise AirflowSensorTimeout(
                f"{event.get('message')} (timeout {_seconds(self.timeout) or 0:.0f} s)"
            )
        raise AirflowFailException(str(event.get("message") or f"unexpected event {event!r}"))
