"""Text people from Airflow callbacks (``on_failure_callback``, ``on_success_callback``, ...)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ippanel_provider.airflow_compat import BaseNotifier

if TYPE_CHECKING:
    import jinja2

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
    :param keep_duplicates: text every entry, even one person listed twice (default: the
        numbers are normalized and each person gets one SMS).

    Works as a task callback and as a DAG callback, in the dag-processor (where Airflow 3 runs
    DAG callbacks) and under ``airflow dags test``. Except as a DAG callback on Airflow 3.0.0:
    its dag-processor calls DAG callbacks with an empty context, so the notifier (like any
    notifier) fails with ``KeyError: 'dag'`` and sends nothing. There, put it on the tasks
    (``default_args={"on_failure_callback": ...}``), or use 3.0.1+ (apache/airflow#51402).
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
        keep_duplicates: bool = False,
    ) -> None:
        super().__init__()
        self.recipients = recipients
        self.message = message
        self.pattern_code = pattern_code
        self.pattern_params = dict(pattern_params or {})
        self.sender = sender
        self.ippanel_conn_id = ippanel_conn_id
        self.keep_duplicates = keep_duplicates

    def get_template_env(self, dag: Any = None) -> jinja2.Environment:
        """Airflow's environment for ``dag``, also when ``dag`` is a serialized DAG.

        Airflow 3.1+ hands DAG-level callbacks run by ``airflow dags test`` a ``SerializedDAG``,
        which has no ``get_template_env`` (apache/airflow#64649, still open in 3.3.2): rendering
        crashed and no SMS went out. The environment is then built from what the serialized DAG
        keeps: its file's folder as the template search path, undefined names as errors.
        Airflow does not serialize ``template_searchpath``, ``user_defined_macros`` or
        ``user_defined_filters``, so a DAG callback's templates cannot use them under
        ``dags test``.

        :param dag: the DAG (or serialized DAG) the callback belongs to; None for the default
            environment.
        """
        if dag is None or hasattr(dag, "get_template_env"):
            return super().get_template_env(dag=dag)
        import jinja2

        env = super().get_template_env(dag=None)
        env.undefined = jinja2.StrictUndefined
        env.add_extension("jinja2.ext.do")
        fileloc = getattr(dag, "fileloc", None)
        if fileloc:
            env.loader = jinja2.FileSystemLoader([os.path.dirname(fileloc)])
        return env

    def _numbers(self) -> list[str]:
        from ippanel_provider.client.recipients import (
            coerce_recipients,
            normalize_recipients,
            unique_recipients,
        )

        numbers = normalize_recipients(coerce_recipients(self.recipients))
        if self.keep_duplicates:
            return numbers
        unique, dropped = unique_recipients(numbers)
        if dropped:
            self.log.info(
                "Dropped %d repeated recipient(s) after normalisation: one SMS per person.",
                len(dropped),
            )
        return unique

    def notify(self, context: Context) -> None:
        """Send the SMS (or one pattern SMS per recipient); Airflow calls this.

        :param context: the callback's template context.
        """
        from ippanel_provider.hooks.ippanel import IPPanelHook

        numbers = self._numbers()
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
        """The same as :meth:`notify` through the async hook, for Airflow's async callbacks.

        :param context: the callback's template context.
        """
        from ippanel_provider.hooks.ippanel import IPPanelAsyncHook

        numbers = self._numbers()
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
