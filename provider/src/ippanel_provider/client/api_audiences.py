"""The audience and file sends (``country``, ``geolocation``, ``job``, ``file``, ``keyword``),
declared once for both clients (a mixin of :class:`~ippanel_provider.client.api.IPPanelApi`).

Each is one request and a send: never repeated unless IPPanel certainly did not act on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from . import audience_sends
from .audience_models import CountryTarget, GeoTarget, JobTarget
from .core import Operation, send_operation
from .engine import operation
from .models import SendResult
from .schedule import Clock
from .sends import SendPlan

SendTime = datetime | str | None


class AudienceSendsApi:
    """Sends to the banks' audiences and to the numbers of a file (see :class:`IPPanelApi`)."""

    default_sender: str | None
    _now: Clock

    def _planned(
        self, plan: Callable[..., SendPlan], *args: Any, sender: str | None, **options: Any
    ) -> Operation[SendResult]:
        """Plan with the default sender and the client's clock, then send (never twice)."""
        sender = sender or self.default_sender
        return send_operation(plan(*args, sender=sender, now=self._now, **options))

    @operation
    def send_country(
        self,
        message: str,
        targets: Sequence[CountryTarget | Mapping[str, Any]],
        *,
        other_recipients: Iterable[str] = (),
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """One message to areas of the country bank (sending type ``country``).

        :param message: the text.
        :param targets: 1 to 30 :class:`CountryTarget` (or mappings of the API's fields); each
            needs ``province_id`` and ``pre``.
        :param other_recipients: extra numbers that get the message too (any number form).
        :param sender: the line; default the client's ``default_sender`` (IPPanel shows
            ``+98BANK``).
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` UTC.
        """
        return (
            yield from self._planned(
                audience_sends.plan_country, message, targets, other_recipients=other_recipients,
                sender=sender, send_time=send_time,
            )
        )  # fmt: skip

    @operation
    def send_geolocation(
        self,
        message: str,
        targets: Sequence[GeoTarget | Mapping[str, Any]],
        *,
        other_recipients: Iterable[str] = (),
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """One message to audiences of the second country form ("countryV2", sending type
        ``geolocation``).

        :param message: the text.
        :param targets: 1 to 30 :class:`GeoTarget` (or mappings of the API's fields).
        :param other_recipients: extra numbers that get the message too (any number form).
        :param sender: the line; default the client's ``default_sender``.
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` UTC.
        """
        return (
            yield from self._planned(
                audience_sends.plan_geolocation, message, targets,
                other_recipients=other_recipients, sender=sender, send_time=send_time,
            )
        )  # fmt: skip

    @operation
    def send_job(
        self,
        message: str,
        targets: Sequence[JobTarget | Mapping[str, Any]],
        *,
        other_recipients: Iterable[str] = (),
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """One message to people of job categories (sending type ``job``).

        :param message: the text.
        :param targets: 1 to 30 :class:`JobTarget` (or mappings); each needs
            ``main_category_id``.
        :param other_recipients: extra numbers that get the message too (any number form).
        :param sender: the line; default the client's ``default_sender`` (IPPanel shows
            ``+98PRO``).
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` UTC.
        """
        return (
            yield from self._planned(
                audience_sends.plan_job, message, targets, other_recipients=other_recipients,
                sender=sender, send_time=send_time,
            )
        )  # fmt: skip

    @operation
    def send_file(
        self,
        source: str | os.PathLike[str] | Iterable[str],
        message: str,
        *,
        other_recipients: Iterable[str] = (),
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """One message to the numbers of a file, uploaded (sending type ``file``).

        :param source: a ``.csv`` path (one number a row, first column; a header row is
            allowed; every number checked here), an ``.xlsx`` path (uploaded as it is, checked
            by IPPanel), or an iterable of numbers (uploaded as CSV).
        :param message: the text.
        :param other_recipients: extra numbers that get the message too (any number form).
        :param sender: the line; default the client's ``default_sender``.
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` UTC.
        """
        return (
            yield from self._planned(
                audience_sends.plan_file, source, message, other_recipients=other_recipients,
                sender=sender, send_time=send_time,
            )
        )  # fmt: skip

    @operation
    def send_keyword(
        self,
        source: str | os.PathLike[str] | Iterable[Sequence[Any]],
        message: str,
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """Per-row texts from one template (sending type ``keyword``): ``{ex_B}``, ``{ex_C}``…
        in ``message`` take each row's cells of columns B, C…; column A is the number.

        :param source: a ``.csv`` path (checked here: numbers, and every column the message
            names), an ``.xlsx`` path (uploaded as it is), or rows ``[number, cell B, ...]``.
        :param message: the template, e.g. ``"Hello {ex_B}, your code is {ex_C}"``.
        :param sender: the line; default the client's ``default_sender``.
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` UTC.
        """
        plan = audience_sends.plan_keyword
        return (yield from self._planned(plan, source, message, sender=sender, send_time=send_time))
