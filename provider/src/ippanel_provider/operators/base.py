"""What every IPPanel send operator shares: one send, normalized and de-duplicated recipients,
and errors turned into the right task outcome; and the shape the audience sends share (one
message to targets plus extra numbers: postal code, country, geolocation, job).

Retries: a send has no idempotency key, so a blind retry can text people twice. The operators
therefore fail *without* Airflow retries (``AirflowFailException``) when the outcome of a send is
unknown, when part of a split send was already accepted, and for errors a retry cannot fix
(validation, authentication). Only errors that certainly sent nothing (connection refused,
rate limit) are left to the task's ``retries``.

A task can still run again after IPPanel accepted its send (its worker was killed, a person
cleared it): every try after the first applies ``on_rerun`` (``operators/reconcile.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ippanel_provider.airflow_compat import AfterRenderMixin, BaseOperator

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Context
    from ippanel_provider.client import IPPanelClient, SendResult
    from ippanel_provider.client.protocol import ApiRequest
    from ippanel_provider.client.reconcile import ExpectedBulk, SendWatch

T = TypeVar("T")
RecipientsArg = str | int | Iterable[str | int]
Targets = Sequence[Mapping[str, Any]] | Sequence[Any]


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def take_secret(value: Any) -> str:
    """``value`` as text, registered with Airflow's secret masker."""
    from ippanel_provider.hooks.ippanel import mask_secret

    text = str(value)
    mask_secret(text)
    return text


def _positions(positions: Sequence[int]) -> str:
    shown = ", ".join(map(str, positions[:20]))
    return shown + (f" and {len(positions) - 20} more" if len(positions) > 20 else "")


class IPPanelSendOperatorBase(AfterRenderMixin, BaseOperator):
    """Shared execute(): build the client, send once, turn errors into the right task outcome.

    Recipients are normalized before anything is sent, and a person listed twice (in any
    spelling: ``0912 123 4567``, ``۰۹۱۲۱۲۳۴۵۶۷``, ``+989121234567``) gets one SMS and is charged
    once, unless ``keep_duplicates=True``. ``execute`` returns the bulk ids
    (``message_outbox_ids``), which Airflow pushes to XCom.

    :param ippanel_conn_id: the Airflow connection of type ``ippanel`` to send through.
    :param sender: the line number to send from (templated); None takes the connection's
        ``sender`` extra. Ignored by the voice OTP operator.
    :param send_time: send later: an aware ``datetime`` (pendulum too) or
        ``YYYY-MM-DD HH:MM:SS`` in UTC (templated); None sends now. Naive or past times are
        refused before anything is sent.
    :param keep_duplicates: send to every entry even when two spell the same number; by
        default each person gets one SMS (the task log names the dropped entries).
    :param on_rerun: what a try after the first does (a retry, a rerun after the worker died, a
        clear): ``"reconcile"`` (default) adopts the bulks an earlier try created and sends only
        the rest, ``"fail"`` fails without sending, ``"resend"`` sends everything again.
    :param kwargs: Airflow's ``BaseOperator`` arguments (``task_id``, ``retries``, ...).
    """

    template_fields: Sequence[str] = ("sender", "send_time")
    ui_color = "#e8f4fd"
    uses_sender = True

    def __init__(
        self,
        *,
        ippanel_conn_id: str = "ippanel_default",
        sender: str | None = None,
        send_time: datetime | str | None = None,
        keep_duplicates: bool = False,
        on_rerun: str = "reconcile",
        **kwargs: Any,
    ) -> None:
        from ippanel_provider.operators.reconcile import checked_policy

        super().__init__(**kwargs)
        self.on_rerun = checked_policy(on_rerun)
        self.ippanel_conn_id = ippanel_conn_id
        self.sender = sender
        self.send_time = send_time
        self.keep_duplicates = keep_duplicates

    def _recipients(self, value: Any, what: str = "recipients") -> list[str]:
        """Rendered recipients, normalized, without repeats unless ``keep_duplicates``."""
        from ippanel_provider.client.recipients import coerce_recipients, normalize_recipients

        return self._unique(normalize_recipients(coerce_recipients(value, what=what)), what=what)

    def _other_recipients(self) -> list[str]:
        """The operator's ``other_recipients`` (extra numbers of an audience or file send), as
        ``_recipients`` makes them; none when not given."""
        value = getattr(self, "other_recipients", None)
        return self._recipients(value, "other_recipients") if value else []

    def _unique(
        self,
        items: Sequence[T],
        key: Callable[[T], Hashable] = lambda item: item,
        what: str = "recipients",
    ) -> list[T]:
        if self.keep_duplicates:
            return list(items)
        from ippanel_provider.client.recipients import unique_recipients

        kept, dropped = unique_recipients(items, key)
        if dropped:
            self.log.info(
                "Dropped %d repeated %s after normalisation (entries %s repeat earlier ones): "
                "one SMS per person. Pass keep_duplicates=True to send every entry.",
                len(dropped),
                what,
                _positions(dropped),
            )
        return kept

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        raise NotImplementedError

    def describe_send(self, request: ApiRequest[Any]) -> list[ExpectedBulk] | None:
        """The bulks one send request creates, for reconciling a rerun; None when the request
        names no recipient list (audience, file and phonebook sends), so a rerun cannot look
        it up. The one place that decides: a reconciling rerun refuses such a send
        (``CannotReconcile``), and a failed one never advises a clear. An operator whose
        requests can be described another way overrides this.

        :param request: the send request, as the client would send it.
        """
        from ippanel_provider.client.reconcile import expected_bulks

        return expected_bulks(request)

    def _after_render(self) -> None:
        """Keep rendered phone numbers strings: ``render_template_as_native_obj`` makes
        ``"9121234567"`` an ``int``, which the rendered-fields view and XCom would show as one."""
        for name in ("recipients", "recipient", "other_recipients"):
            value = getattr(self, name, None)
            if _is_number(value):
                setattr(self, name, str(value))
            elif isinstance(value, list | tuple):
                setattr(self, name, [str(item) if _is_number(item) else item for item in value])

    def execute(self, context: Context) -> list[int]:
        from ippanel_provider.hooks.ippanel import IPPanelHook

        with IPPanelHook(self.ippanel_conn_id) as hook:
            sender = None
            if self.uses_sender:
                sender = str(self.sender).strip() if self.sender else hook.default_sender
                if not sender:
                    from ippanel_provider.airflow_compat import AirflowFailException

                    raise AirflowFailException(
                        f"{type(self).__name__}: no sender number. Pass sender=... or set the "
                        f"'sender' extra of connection {self.ippanel_conn_id!r}."
                    )
            from ippanel_provider.operators.reconcile import rerun_guard

            client = hook.get_conn()
            watch: SendWatch | None = None
            try:
                with rerun_guard(
                    self.on_rerun, context, client, self.describe_send, self.log
                ) as watch:
                    result = self._send(client, sender)
            except Exception as exc:
                self._raise_for(exc, context, watch.failed if watch else None)
                raise
        self.log.info(
            "IPPanel accepted %d recipient(s), %d part(s) each, in %d request(s): outbox ids %s",
            result.recipients,
            result.parts,
            result.chunks,
            result.message_outbox_ids,
        )
        return list(result.message_outbox_ids)

    def _after_failure(self, otherwise: str, failed: ApiRequest[Any] | None) -> str:
        """What a user may do after a failed send: with ``on_rerun='reconcile'``, clear it,
        when a rerun can look the failed request up (``describe_send``)."""
        if (
            self.on_rerun == "reconcile"
            and failed is not None
            and self.describe_send(failed) is not None
        ):
            return (
                "clearing this task looks the send up in the IPPanel outbox and sends only what "
                "did not go out (on_rerun='reconcile')"
            )
        return otherwise

    def _raise_for(self, exc: Exception, context: Context, failed: ApiRequest[Any] | None) -> None:
        """Re-raise ``exc`` as a no-retry failure when retrying could send twice or cannot help."""
        from ippanel_provider.airflow_compat import AirflowFailException
        from ippanel_provider.client.errors import (
            InvalidRecipientsError,
            IPPanelAuthError,
            IPPanelError,
            IPPanelNotFoundError,
            IPPanelSendOutcomeUnknown,
            IPPanelValidationError,
        )

        sent = list(getattr(exc, "sent_outbox_ids", []) or [])
        if sent:
            context["ti"].xcom_push(key="sent_outbox_ids", value=sent)
            raise AirflowFailException(
                f"Part of the send was accepted before it failed: outbox ids {sent} went out "
                f"(XCom key 'sent_outbox_ids'). Not retrying, to avoid texting those recipients "
                f"twice; {self._after_failure('send the rest by hand', failed)}. Cause: {exc}"
            ) from exc
        from ippanel_provider.client.reconcile import CannotReconcile

        if isinstance(exc, CannotReconcile):
            raise AirflowFailException(f"Not sent, not retried: {exc}") from exc
        if isinstance(exc, IPPanelSendOutcomeUnknown):
            advice = self._after_failure(
                "do NOT simply clear or retry this task: look the send up in the IPPanel "
                "outbox report first, or recipients may receive the SMS twice",
                failed,
            )
            raise AirflowFailException(
                f"{exc} Not retried. {advice[:1].upper()}{advice[1:]}."
            ) from exc
        if isinstance(
            exc,
            InvalidRecipientsError
            | IPPanelValidationError
            | IPPanelAuthError
            | IPPanelNotFoundError
            | ValueError
            | TypeError,
        ):
            raise AirflowFailException(f"IPPanel send rejected (not retried): {exc}") from exc
        if isinstance(exc, IPPanelError):
            self.log.warning("IPPanel send failed and certainly sent nothing: %s", exc)


class _AudienceSendOperator(IPPanelSendOperatorBase):
    """One message to audience targets (postal codes, the banks' areas, job categories) plus
    optional extra numbers, through the client method named by ``method``."""

    template_fields: Sequence[str] = (
        "message",
        "targets",
        "other_recipients",
        "sender",
        "send_time",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"message": "txt", "targets": "json"}
    method = ""
    """The client's send method, e.g. ``send_postal_code``."""

    def __init__(
        self,
        *,
        message: str,
        targets: Targets,
        other_recipients: RecipientsArg = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.message = message
        self.targets = targets
        self.other_recipients = other_recipients

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        if isinstance(self.targets, str | bytes | Mapping):
            raise TypeError(f"targets must be a list of targets, got {type(self.targets).__name__}")
        send = getattr(client, self.method)
        result: SendResult = send(
            str(self.message),
            list(self.targets),
            other_recipients=self._other_recipients(),
            sender=sender,
            send_time=self.send_time,
        )
        return result
