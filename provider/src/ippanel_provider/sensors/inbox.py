"""Wait for a reply by SMS: a received message from given numbers, on a line, saying something.

"Text the on-call engineer and wait for YES", "approve the data release by SMS": send with a send
operator, then wait here (poke mode, reschedule mode or deferred). Shaped like Airflow 3.1's
human-in-the-loop operators: ``options`` are the answers that count, the XCom names the one given
as ``chosen_options``, and ``defaults`` are chosen when nobody answers in time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ippanel_provider.airflow_compat import (
    AfterRenderMixin,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Context
    from ippanel_provider.client.inbox import InboxQuery, InboxScan

DEFAULT_TIMEOUT = 60 * 60.0
DEFAULT_POKE_INTERVAL = 10.0


def _seconds(value: float | timedelta | None) -> float | None:
    return value.total_seconds() if isinstance(value, timedelta) else value


def _listed(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [str(item) for item in value]


class IPPanelInboxSensor(AfterRenderMixin, BaseSensorOperator):
    """Wait until IPPanel's inbox has an SMS that matches, and return it (XCom).

    :param from_numbers: the phones the reply may come from: one number, a comma-separated
        string or a list, in any form (``0912…``, ``+98 912 …``, Persian digits). None: anyone.
    :param to_line: the account's line the reply must arrive on (``+983000505``,
        ``3000505``). None: any line.
    :param options: the answers that count, e.g. ``["YES", "NO"]``: the reply is compared with
        each, ignoring case, surrounding spaces and punctuation, Persian digits as ASCII.
    :param text: one exact answer, compared the same way (instead of ``options``).
    :param pattern: a regular expression searched in the reply, case ignored (instead of
        ``options``). With none of the three, any text matches.
    :param received_after: ignore messages received before this time (an aware datetime, ISO
        text or unix seconds). Default: the DAG run's start, so a reply that came while an
        upstream send was still running counts.
    :param after_send: ignore messages received before this send went out: the outbox ids a
        send operator returned (``send_task.output``, a list, one id, or its rendered text
        ``"[1100000001]"``); the earliest bulk's creation time in IPPanel's outbox report is the
        watermark, read once. Instead of ``received_after``.
    :param from_id: ignore messages up to this inbox id (a watermark you kept).
    :param defaults: with ``options``: the options chosen when the timeout passes without a
        reply (the task then succeeds); None: the timeout fails the task.
    :param ippanel_conn_id: the Airflow connection of type ``ippanel`` to read through; default
        ``ippanel_default``.
    :param deferrable: wait in the triggerer instead of a worker slot.
    :param timeout: seconds before giving up (default one hour).
    :param poke_interval: seconds between reads of the inbox (default 10). Each read asks only
        for messages newer than the last one read.

    The XCom is ``{"chosen_options": ["YES"], "message": {"id", "from", "line", "text",
    "time", "received_at"}, "messages": [...]}``: the first match, every match of that read
    (oldest first) and, with ``options``, the option the first match gave (empty otherwise,
    ``defaults`` after a timeout with ``"message": None``).
    """

    template_fields: Sequence[str] = (
        "from_numbers",
        "to_line",
        "options",
        "text",
        "pattern",
        "received_after",
        "after_send",
        "from_id",
    )
    ui_color = "#fdebd0"

    def __init__(
        self,
        *,
        from_numbers: str | int | Sequence[str | int] | None = None,
        to_line: str | None = None,
        options: str | Sequence[str] | None = None,
        text: str | None = None,
        pattern: str | None = None,
        received_after: datetime | float | str | None = None,
        after_send: int | str | Sequence[int] | None = None,
        from_id: int | str | None = None,
        defaults: str | Sequence[str] | None = None,
        ippanel_conn_id: str = "ippanel_default",
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        timeout: float | timedelta = DEFAULT_TIMEOUT,
        poke_interval: float | timedelta = DEFAULT_POKE_INTERVAL,
        **kwargs: Any,
    ) -> None:
        super().__init__(timeout=timeout, poke_interval=poke_interval, **kwargs)
        given = [n for n, v in (("options", options), ("text", text), ("pattern", pattern)) if v]
        if len(given) > 1:
            raise ValueError(f"give one of options, text or pattern, not {' and '.join(given)}")
        if received_after not in (None, "") and after_send not in (None, "", []):
            raise ValueError("give received_after or after_send, not both")
        self.defaults = _listed(defaults)
        if self.defaults and not options:
            raise ValueError("defaults needs options: they name the options chosen on timeout")
        if isinstance(options, list | tuple):
            unknown = [d for d in self.defaults if d not in options]
            if unknown:
                raise ValueError(f"defaults {unknown} are not among options {list(options)}")
        self.from_numbers = from_numbers
        self.to_line = to_line
        self.options = options
        self.text = text
        self.pattern = pattern
        self.received_after = received_after
        self.after_send = after_send
        self.from_id = from_id
        self.ippanel_conn_id = ippanel_conn_id
        self.deferrable = deferrable
        self._last_id: int | None = None
        self._sent_at: float | None = None
        self._wanted = ""

    def _after_render(self) -> None:
        """Check the rendered conditions before the first read (a bad number fails here)."""
        ids = self._outbox_ids()
        if ids:  # the rendered-fields view shows the ids, not an unevaluated XCom reference
            self.after_send = ids
        self._query(None)

    def _query(self, context: Context | None) -> InboxQuery:
        from ippanel_provider.client.inbox import InboxQuery

        after = self.received_after
        if self._outbox_ids() and context is not None:
            after = self._send_time()
        elif after in (None, "") and context is not None:
            dag_run, ti = context.get("dag_run"), context.get("ti")
            after = getattr(dag_run, "start_date", None) or getattr(ti, "start_date", None)
        query = InboxQuery.build(
            senders=self.from_numbers,
            line=self.to_line,
            text=self.text,
            pattern=self.pattern,
            options=self.options,
            received_after=after,
        )
        self._wanted = query.describe()
        return query

    def _outbox_ids(self) -> list[int]:
        """``after_send`` as outbox ids, read as the delivery sensor reads its ``outbox_ids``
        (a list, a mapped send's list of lists, one id, or the rendered text)."""
        from ippanel_provider.client.delivery import coerce_outbox_ids

        if self.after_send in (None, "", []):
            return []
        try:
            return coerce_outbox_ids(self.after_send)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"after_send must be outbox ids, got {self.after_send!r}: {exc}"
            ) from None

    def _send_time(self) -> float:
        """When the earliest bulk of ``after_send`` was created (outbox report), read once."""
        if self._sent_at is None:
            from ippanel_provider.hooks.ippanel import IPPanelHook

            with IPPanelHook(self.ippanel_conn_id) as hook:
                client = hook.get_conn()
                times = [client.bulk_report(i).time for i in self._outbox_ids()]
            known = [t for t in times if t is not None]
            if not known:
                raise ValueError(f"IPPanel's outbox report gives no time for {self.after_send!r}")
            self._sent_at = float(min(known))
            self.log.info("Reading replies received since outbox %s went out", self.after_send)
        return self._sent_at

    def _watermark(self) -> int | None:
        if self._last_id is not None:
            return self._last_id
        if self.from_id in (None, ""):
            return None
        try:
            return int(str(self.from_id).strip())
        except ValueError:
            raise ValueError(f"from_id must be an inbox message id, got {self.from_id!r}") from None

    def read_once(self, query: InboxQuery) -> InboxScan | None:
        """One read of the new messages; None when IPPanel could not be asked (logged).

        :param query: the reply wanted.
        """
        from ippanel_provider.client.delivery import TRANSIENT_ERRORS
        from ippanel_provider.hooks.ippanel import IPPanelHook

        with IPPanelHook(self.ippanel_conn_id) as hook:
            try:
                scan = hook.get_conn().search_inbox(query, from_id=self._watermark())
            except TRANSIENT_ERRORS as exc:
                self.log.warning("IPPanel inbox read failed, will read again: %s", exc)
                return None
        self._last_id = scan.last_id
        return scan

    def poke(self, context: Context) -> bool | PokeReturnValue:
        query = self._query(context)
        scan = self.read_once(query)
        if scan is None:
            return False
        if not scan.matches:
            self.log.info("Waiting for %s (%d new message(s) read)", self._wanted, scan.read)
            return False
        result = scan.result(query)
        self.log.info("Received %s: %s", self._wanted, result["message"])
        return PokeReturnValue(is_done=True, xcom_value=result)

    def _timed_out(self, reason: str) -> dict[str, Any]:
        from ippanel_provider.airflow_compat import AirflowSensorTimeout

        if not self.defaults:
            raise AirflowSensorTimeout(reason)
        self.log.info("%s; choosing the defaults %s", reason, self.defaults)
        return {"chosen_options": list(self.defaults), "message": None, "messages": []}

    def execute(self, context: Context) -> Any:
        from ippanel_provider.airflow_compat import AirflowSensorTimeout

        if not self.deferrable:
            try:
                return super().execute(context)
            except AirflowSensorTimeout as exc:
                return self._timed_out(f"{exc} No reply: waited for {self._wanted}")
        result = self.poke(context)
        if isinstance(result, PokeReturnValue):
            return result.xcom_value
        from ippanel_provider.triggers.inbox import IPPanelInboxTrigger

        timeout = _seconds(self.timeout)
        self.defer(
            trigger=IPPanelInboxTrigger(
                query=self._query(context).to_json(),
                from_id=self._watermark(),
                ippanel_conn_id=self.ippanel_conn_id,
                poke_interval=float(_seconds(self.poke_interval) or DEFAULT_POKE_INTERVAL),
                deadline=time.time() + timeout if timeout is not None else None,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=timeout + 60) if timeout is not None else None,
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger fired: the matching reply, the defaults, or a failure."""
        from ippanel_provider.airflow_compat import AirflowFailException

        status = event.get("status")
        if status == "success":
            self.log.info("%s", event.get("message"))
            return dict(event.get("result") or {})
        if status == "timeout":
            return self._timed_out(
                f"{event.get('message')} (timeout {_seconds(self.timeout) or 0:.0f} s)"
            )
        raise AirflowFailException(str(event.get("message") or f"unexpected event {event!r}"))
