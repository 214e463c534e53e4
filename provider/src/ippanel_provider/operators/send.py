"""One operator per IPPanel sending type; each returns the bulk ids (``message_outbox_ids``).

The module imports only the Airflow base operator at the top: DAG files that use these operators
are parsed constantly, so the hook and the HTTP client are imported inside ``execute``. What the
operators share (one send, recipients, retries) is in ``operators/base.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ippanel_provider.operators.base import (
    IPPanelSendOperatorBase,
    RecipientsArg,
    _AudienceSendOperator,
    take_secret,
)

if TYPE_CHECKING:
    from ippanel_provider.client import IPPanelClient, SendResult

MOVED_TO_CLIENT = ("coerce_recipient", "coerce_recipients")
"""Recipient parsing lives in ``ippanel_provider.client.recipients``; the old names still work."""


def __getattr__(name: str) -> Any:
    if name in MOVED_TO_CLIENT:
        from ippanel_provider.client import recipients

        return getattr(recipients, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class IPPanelSendSmsOperator(IPPanelSendOperatorBase):
    """Send one message to many recipients (sending type ``webservice``, or the older ``normal``).

    :param recipients: numbers as a list, or one string separated by commas or newlines
        (templated). Any common spelling works (``0912...``, ``+98912...``, Persian digits);
        every invalid entry is reported at once, before anything is sent.
    :param message: the text (templated).
    :param sending_type: ``webservice`` (default) or ``normal`` (the older name of the same
        send).
    :param kwargs: the shared parameters of :class:`IPPanelSendOperatorBase` (``sender``,
        ``send_time``, ``ippanel_conn_id``, ``keep_duplicates``) and ``BaseOperator``'s.
    """

    template_fields: Sequence[str] = ("recipients", "message", "sender", "send_time")
    template_fields_renderers: ClassVar[dict[str, str]] = {"message": "txt"}

    def __init__(
        self,
        *,
        recipients: RecipientsArg,
        message: str,
        sending_type: str = "webservice",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.recipients = recipients
        self.message = message
        self.sending_type = sending_type

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        return client.send_sms(
            self._recipients(self.recipients),
            str(self.message),
            sender=sender,
            send_time=self.send_time,
            sending_type=self.sending_type,
        )


class IPPanelSendPatternOperator(IPPanelSendOperatorBase):
    """Send a stored pattern (template) to one recipient; map over ``recipient`` for many.

    :param pattern_code: the pattern's code (templated); the same name as the notifier's.
    :param recipient: one number (templated).
    :param pattern_params: the pattern's variables (templated); values are sent as strings.
        (Not ``params``: that name belongs to Airflow's DAG params.)
    :param secret_params: names of ``pattern_params`` whose values are secret, such as a
        one-time code. Once rendered, each is registered with Airflow's secret masker (logs
        show ``***``) and shown as ``***`` in the rendered fields, also when shorter than the
        masker's 5-character minimum. The operator pushes only the bulk ids to XCom.
    :param code: deprecated name of ``pattern_code`` (warns with
        ``AirflowProviderDeprecationWarning``).
    :param kwargs: the shared parameters of :class:`IPPanelSendOperatorBase` (``sender``,
        ``send_time``, ``ippanel_conn_id``, ``keep_duplicates``) and ``BaseOperator``'s.
    """

    template_fields: Sequence[str] = (
        "pattern_code",
        "recipient",
        "pattern_params",
        "sender",
        "send_time",
    )

    def __init__(
        self,
        *,
        pattern_code: str | None = None,
        recipient: str | int,
        pattern_params: Mapping[str, object] | None = None,
        secret_params: Iterable[str] = (),
        code: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pattern_code = _pattern_code(pattern_code, code)
        self.recipient = recipient
        self.pattern_params = dict(pattern_params or {})
        self.secret_params = tuple(secret_params)
        unknown = [name for name in self.secret_params if name not in self.pattern_params]
        if unknown:
            raise ValueError(
                f"secret_params names {', '.join(map(repr, unknown))}, not in pattern_params "
                f"({', '.join(map(repr, self.pattern_params)) or 'none'})"
            )
        self._secret_values: dict[str, str] = {}

    def _after_render(self) -> None:
        """Move secret values out of ``pattern_params`` before Airflow stores rendered fields."""
        super()._after_render()
        if not self.secret_params or not isinstance(self.pattern_params, Mapping):
            return
        shown = dict(self.pattern_params)
        for name in self.secret_params:
            if name in shown:
                self._secret_values[name] = take_secret(shown[name])
                shown[name] = "***"
        self.pattern_params = shown

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        if not isinstance(self.pattern_params, Mapping):
            raise TypeError(
                f"pattern_params must be a mapping of variable -> value, "
                f"got {type(self.pattern_params).__name__}"
            )
        from ippanel_provider.client.recipients import coerce_recipient

        params = dict(self.pattern_params)
        for name in self.secret_params:  # never rendered (e.g. called directly): mask now
            if name not in self._secret_values and name in params:
                self._secret_values[name] = take_secret(params[name])
        return client.send_pattern(
            str(self.pattern_code),
            coerce_recipient(self.recipient),
            {**params, **self._secret_values},
            sender=sender,
            send_time=self.send_time,
        )

    @property
    def code(self) -> str:
        """Deprecated: the pattern code, now ``pattern_code``."""
        return self.pattern_code

    @code.setter
    def code(self, value: str) -> None:
        self.pattern_code = value


def _pattern_code(pattern_code: str | None, code: str | None) -> str:
    """``pattern_code``, or the deprecated ``code`` with a warning; exactly one of them."""
    if code is None:
        if pattern_code is None:
            raise TypeError("IPPanelSendPatternOperator needs pattern_code=")
        return pattern_code
    if pattern_code is not None:
        raise TypeError("give pattern_code= only (code= is its deprecated name), not both")
    import warnings

    from ippanel_provider.airflow_compat import AirflowProviderDeprecationWarning

    warnings.warn(
        "IPPanelSendPatternOperator(code=...) is deprecated; use pattern_code=..., the name "
        "IPPanelNotifier uses too",
        AirflowProviderDeprecationWarning,
        stacklevel=4,
    )
    return code


class IPPanelSendPeerToPeerOperator(IPPanelSendOperatorBase):
    """Send each item's own message to its own recipients.

    :param items: ``[{"recipients": [...], "message": "..."}, ...]`` or ``(recipients, message)``
        pairs (templated). A number repeated with the same text is sent once.
    :param kwargs: the shared parameters of :class:`IPPanelSendOperatorBase` and
        ``BaseOperator``'s.
    """

    template_fields: Sequence[str] = ("items", "sender", "send_time")

    def __init__(self, *, items: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.items = items

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        from ippanel_provider.client.errors import InvalidRecipientsError
        from ippanel_provider.client.recipients import coerce_recipients, normalize_recipients

        entries: list[tuple[int, str, str]] = []  # (item, number, message)
        for position, item in enumerate(self.items, start=1):
            if isinstance(item, Mapping):
                recipients, message = item.get("recipients"), item.get("message")
            elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
                recipients, message = item
            else:
                raise ValueError(
                    f"item {position} must be {{'recipients': [...], 'message': ...}} "
                    "or a (recipients, message) pair"
                )
            raw = coerce_recipients(recipients, what=f"item {position} recipients")
            try:
                numbers = normalize_recipients(raw)
            except InvalidRecipientsError as exc:
                raise InvalidRecipientsError(
                    exc.invalid, exc.total, context=f"peer-to-peer item {position}"
                ) from None
            entries += [(position, number, str(message or "")) for number in numbers]
        unique = self._unique(entries, key=lambda e: e[1:], what="recipients of the same text")
        grouped: dict[int, tuple[list[str], str]] = {}
        for position, number, message in unique:
            grouped.setdefault(position, ([], message))[0].append(number)
        pairs: list[tuple[Sequence[str], str]] = list(grouped.values())
        return client.send_peer_to_peer(pairs, sender=sender, send_time=self.send_time)


class IPPanelSendPeerToPeerFileOperator(IPPanelSendOperatorBase):
    """Send per-recipient messages from a CSV file (header ``recipient,message``) or rows.

    :param source: a path to the CSV file, or rows of ``(recipient, message)`` (templated).
    :param kwargs: the shared parameters of :class:`IPPanelSendOperatorBase` and
        ``BaseOperator``'s.
    """

    template_fields: Sequence[str] = ("source", "sender", "send_time")

    def __init__(self, *, source: str | Sequence[Sequence[Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        from ippanel_provider.client.recipients import coerce_recipient, normalize_recipients

        source: str | list[tuple[str, str]]
        if isinstance(self.source, str) and self.keep_duplicates:
            source = self.source
        else:
            if isinstance(self.source, str):
                from ippanel_provider.client.sends import read_peer_to_peer_rows

                rows = read_peer_to_peer_rows(self.source)
            else:
                rows = [(coerce_recipient(row[0]), str(row[1])) for row in self.source]
            numbers = normalize_recipients([number for number, _ in rows])
            pairs = [(n, message) for n, (_, message) in zip(numbers, rows, strict=True)]
            source = self._unique(pairs, what="rows (same recipient and text)")
        return client.send_peer_to_peer_file(source, sender=sender, send_time=self.send_time)


class IPPanelSendPostalCodeOperator(_AudienceSendOperator):
    """Send one message to postal-code audiences (plus optional extra numbers).

    :param message: the text (templated).
    :param targets: ``[{"postal_code": 14167, "mci": {"start": 0, "size": 10}, ...}]``
        (templated): per target and operator (``mci``, ``irancell``, ``other``) a window of
        that audience; at most 30 targets.
    :param other_recipients: extra numbers that also get the message (templated).
    :param kwargs: the shared parameters of :class:`IPPanelSendOperatorBase` and
        ``BaseOperator``'s.
    """

    method = "send_postal_code"


class IPPanelSendVotpOperator(IPPanelSendOperatorBase):
    """Send a voice one-time password; the code is masked in logs and rendered fields.

    :param code: the one-time code to read out (templated; shown as ``***`` once rendered).
    :param recipient: one number (templated).
    :param kwargs: ``send_time``, ``ippanel_conn_id``, ``keep_duplicates`` of
        :class:`IPPanelSendOperatorBase` (a voice OTP has no ``sender``) and ``BaseOperator``'s.
    """

    template_fields: Sequence[str] = ("code", "recipient", "send_time")
    uses_sender = False

    def __init__(self, *, code: str | int, recipient: str | int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.code = code
        self.recipient = recipient
        self._rendered_code: str | None = None

    def _after_render(self) -> None:
        """Take the rendered code out of ``code`` before Airflow stores the rendered fields.

        Registering it with the secrets masker hides it from logs, but Airflow does not mask
        values under 5 characters (a 4-digit OTP), so the stored field shows ``***`` instead.
        """
        super()._after_render()
        self._rendered_code = take_secret(self.code)
        self.code = "***"

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        from ippanel_provider.client.recipients import coerce_recipient

        code = self._rendered_code if self._rendered_code is not None else str(self.code)
        return client.send_votp(code, coerce_recipient(self.recipient), send_time=self.send_time)
