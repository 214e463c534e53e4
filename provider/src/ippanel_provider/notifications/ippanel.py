"""Text people from Airflow callbacks (``on_failure_callback``, ``on_success_callback``, ...)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ippanel_provider.airflow_compat import BaseNotifier

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Context

DEFAULT_MESSAGE = (
    "Airflow: DAG {{ dag.dag_id }} run {{ run_id }}"
    "{% if ti is defined %}, task {{ ti.task_id }}: {{ ti.state }}{% endif %}"
)


class IPPanelNotifier(BaseNotifier):
    """Send an SMS (or one pattern SMS per recipient) when a DAG or task callback fires.

    .. code-block:: python

        PythonOperator(..., on_failure_callback=IPPanelNotifier(
            recipients=["09120000000"], message="{{ ti.task_id }} failed"))

    :param recipients: numbers, as a list or one comma/newline separated string. Templated.
    :param message: the text; a Jinja template over the callback's context. Ignored when
        ``pattern_code`` is set.
    :param pattern_code: send this stored pattern to each recipient instead of ``message``.
    :param pattern_params: the pattern's variables (templated).
    :param sender: line number; defaults to the connection's ``sender`` extra.
    :param ippanel_conn_id: the IPPanel connection.
    """

    template_fields: Sequence[str] = (
        "recipients",
        "message",
        "pattern_code",
        "pattern_params",
        "sender",
        "ippanel_conn_id",
    )

    def __init__(
        self,
        *,
        recipients: str | int | Iterable[str | int],
        message: str = DEFAULT_MESSAGE,
        pattern_code: str | None = None,
        pattern_params: Mapping[str, object] | None = None,
        sender: str | None = None,
        ippanel_conn_id: str = "ippanel_default",
    ) -> None:
        super().__init__()
        self.recipients = recipients
        self.message = message
        self.pattern_code = pattern_code
        self.pattern_params = dict(pattern_params or {})
        self.sender = sender
        self.ippanel_conn_id = ippanel_conn_id

    def notify(self, context: Context) -> None:
        from ippanel_provider.hooks.ippanel import IPPanelHook
        from ippanel_provider.operators.send import coerce_recipients

        numbers = coerce_recipients(self.recipients)
        with IPPanelHook(self.ippanel_conn_id) as hook:
            client = hook.get_conn()
            sender = self.sender or hook.default_sender
            if self.pattern_code:
                ids = [
                    outbox_id
                    for number in numbers
                    for outbox_id in client.send_pattern(
                        str(self.pattern_code), number, self.pattern_params, sender=sender
                    ).message_outbox_ids
                ]
            else:
                ids = client.send_sms(numbers, str(self.message), sender=sender).message_outbox_ids
        self.log.info(
            "IPPanel notification sent to %d recipient(s): outbox ids %s", len(numbers), ids
        )

    async def async_notify(self, context: Context) -> None:
        from ippanel_provider.hooks.ippanel import IPPanelAsyncHook
        from ippanel_provider.operators.send import coerce_recipients

        numbers = coerce_recipients(self.recipients)
        async with IPPanelAsyncHook(self.ippanel_conn_id) as hook:
            client = await hook.get_conn()
            sender = self.sender or (await hook.get_config()).sender
            if self.pattern_code:
                for number in numbers:
                    await client.send_pattern(
                        str(self.pattern_code), number, self.pattern_params, sender=sender
                    )
            else:
                await client.send_sms(numbers, str(self.message), sender=sender)
        self.log.info("IPPanel notification sent to %d recipient(s)", len(numbers))


send_ippanel_notification = IPPanelNotifier
