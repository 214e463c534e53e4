"""Send operators for the banks' audiences (``country``, ``geolocation``, ``job``) and for the
numbers of a file (``file``, ``keyword``); each returns the bulk ids (``message_outbox_ids``).

Like ``operators/send.py``: light imports at the top (DAG files are parsed constantly), the
shared execute in ``operators/base.py`` (sent at most once, errors as the right task outcome).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ippanel_provider.operators.base import (
    IPPanelSendOperatorBase,
    RecipientsArg,
    _AudienceSendOperator,
)

if TYPE_CHECKING:
    from ippanel_provider.client import IPPanelClient, SendResult


class IPPanelSendCountryOperator(_AudienceSendOperator):
    """Send one message to areas of the country bank (sending type ``country``).

    IPPanel sends these from its ``+98BANK`` line (give it as ``sender``).

    :param message: the text (templated).
    :param targets: 1 to 30 ``CountryTarget`` or mappings of the API's fields, e.g.
        ``{"province_id": 89, "pre": 912, "bank": "all", "gender": 0, "age_from": 1300,
        "age_to": 1410, "mci": {"start": 0, "size": 100}, "irancell": {"start": 0, "size": 0},
        "other": {"start": 0, "size": 0}}`` (templated; ids from the hook's
        ``bank_provinces()`` / ``bank_counties()`` / ``bank_cities()``).
    :param other_recipients: extra numbers that get the message too.
    """

    method = "send_country"


class IPPanelSendGeolocationOperator(_AudienceSendOperator):
    """Send one message to audiences of the second country form ("countryV2", sending type
    ``geolocation``).

    :param message: the text (templated).
    :param targets: 1 to 30 ``GeoTarget`` or mappings, e.g. ``{"province_id": 89, "pre":
        "912", "operator": [{"id": 1, "start": 0, "size": 100}]}``; every field is optional.
    :param other_recipients: extra numbers that get the message too.
    """

    method = "send_geolocation"


class IPPanelSendJobOperator(_AudienceSendOperator):
    """Send one message to the people of job categories (sending type ``job``).

    IPPanel sends these from its ``+98PRO`` line (give it as ``sender``).

    :param message: the text (templated).
    :param targets: 1 to 30 ``JobTarget`` or mappings, e.g. ``{"main_category_id": 1,
        "sub_category_id": 2, "operator": [{"id": 2, "start": 0, "size": 500}]}``.
    :param other_recipients: extra numbers that get the message too.
    """

    method = "send_job"


class IPPanelSendFileOperator(IPPanelSendOperatorBase):
    """Send one message to the numbers of a file (sending type ``file``).

    :param source: a ``.csv`` path (one number a row, first column, header allowed), an
        ``.xlsx`` path (uploaded as it is), or a list of numbers (templated).
    :param message: the text (templated).
    :param other_recipients: extra numbers that get the message too.

    A list is normalized and de-duplicated like every operator's recipients
    (``keep_duplicates``); a file is sent as IPPanel reads it.
    """

    template_fields: Sequence[str] = (
        "source",
        "message",
        "other_recipients",
        "sender",
        "send_time",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"message": "txt"}

    def __init__(
        self,
        *,
        source: str | Sequence[str | int],
        message: str,
        other_recipients: RecipientsArg = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.message = message
        self.other_recipients = other_recipients

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        source: str | list[str]
        if isinstance(self.source, str) and self.source.lower().endswith((".csv", ".xlsx")):
            source = self.source
        else:
            source = self._recipients(self.source, "source")
        return client.send_file(
            source,
            str(self.message),
            other_recipients=self._other_recipients(),
            sender=sender,
            send_time=self.send_time,
        )


class IPPanelSendKeywordOperator(IPPanelSendOperatorBase):
    """Send per-row texts from one template (sending type ``keyword``).

    :param source: a ``.csv`` or ``.xlsx`` path (column A the number, B, C… the cells), or
        rows ``[number, cell B, cell C, ...]`` (templated, e.g. from an upstream query).
    :param message: the template: ``{ex_B}``, ``{ex_C}``… take each row's cells (templated;
        write ``{{ '{ex_B}' }}`` only if Jinja would read the braces, which single braces
        are not).
    """

    template_fields: Sequence[str] = ("source", "message", "sender", "send_time")
    template_fields_renderers: ClassVar[dict[str, str]] = {"message": "txt"}

    def __init__(
        self, *, source: str | Sequence[Sequence[Any]], message: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.message = message

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        if isinstance(self.source, str):
            return client.send_keyword(
                self.source, str(self.message), sender=sender, send_time=self.send_time
            )
        rows = [list(row) for row in self.source]
        return client.send_keyword(rows, str(self.message), sender=sender, send_time=self.send_time)
