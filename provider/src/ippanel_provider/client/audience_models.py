"""Typed results and inputs of the inbox, the bank look-ups and the audience sends.

A target is a frozen dataclass that writes its own JSON (``to_json``); the send methods also take
plain mappings, sent as given, for fields a dataclass does not name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .convert import to_bool, to_int
from .models import OperatorRange

OPERATOR_IDS = {"mci": 1, "irancell": 2, "other": 13}
"""IPPanel's operator ids in the ``geolocation`` and ``job`` sends and the job counts."""


def operator_id(value: int | str) -> int:
    """``1``/``"mci"`` → 1, ``2``/``"irancell"`` → 2, ``13``/``"other"`` → 13."""
    if isinstance(value, str) and value.strip().lower() in OPERATOR_IDS:
        return OPERATOR_IDS[value.strip().lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in OPERATOR_IDS.values():
        return value
    raise ValueError(f"operator must be 1 (mci), 2 (irancell) or 13 (other), got {value!r}")


@dataclass(frozen=True)
class InboxMessage:
    """One SMS received on one of the account's lines.

    :param id: ``messages_inbox_id``; ids grow in the order messages arrive (a watermark for
        ``from_id``).
    :param sender: the phone that sent it, as IPPanel gives it (``+989…``).
    :param line: the account's line it arrived on (``number`` in the API).
    :param text: the message text.
    :param time: when it arrived, unix seconds.
    :param seen: whether an earlier report already returned it.
    :param type: IPPanel's message type (``normal``).
    """

    id: int
    sender: str
    line: str
    text: str
    time: int
    seen: bool
    type: str = "normal"

    @property
    def received_at(self) -> datetime:
        """``time`` as an aware UTC datetime."""
        return datetime.fromtimestamp(self.time, UTC)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InboxMessage:
        """Read one message of an inbox report (numbers may come as strings).

        :param data: the message's object in the answer.
        """
        message_id, time = to_int(data["messages_inbox_id"]), to_int(data.get("time"))
        if message_id is None or time is None:
            raise ValueError("received message without id or time")
        return cls(
            id=message_id,
            sender=str(data.get("from", "")),
            line=str(data.get("number", "")),
            text=str(data.get("message", "")),
            time=time,
            seen=to_bool(data.get("seen")),
            type=str(data.get("type") or "normal"),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (what the inbox sensor pushes to XCom)."""
        return {
            "id": self.id,
            "from": self.sender,
            "line": self.line,
            "text": self.text,
            "time": self.time,
            "received_at": self.received_at.isoformat(),
        }


@dataclass(frozen=True)
class Place:
    """A province, county, city, gender or job category of a bank look-up."""

    id: int
    """Its id, as the sends and the narrower look-ups take it."""
    name: str
    """Its name, as IPPanel gives it."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Place:
        """Read one row of a look-up answer.

        :param data: the row's object in the answer.
        """
        place_id = to_int(data["id"])
        if place_id is None:
            raise ValueError("look-up row without id")
        return cls(id=place_id, name=str(data.get("name", "")))


@dataclass(frozen=True)
class JobSubCategory:
    """A job sub-category and the main category it belongs to."""

    id: int
    """The sub-category's id (a ``JobTarget``'s ``sub_category_id``)."""
    name: str
    """The sub-category's name, as IPPanel gives it."""
    main_id: int
    """The id of the main category it belongs to."""
    main_name: str
    """The main category's name."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobSubCategory:
        """Read one row of a sub-category look-up.

        :param data: the row's object in the answer.
        """
        sub_id, main_id = to_int(data["id"]), to_int(data["main_id"])
        if sub_id is None or main_id is None:
            raise ValueError("sub-category without id")
        return cls(sub_id, str(data.get("name", "")), main_id, str(data.get("main_name", "")))


@dataclass(frozen=True)
class AudienceCounts:
    """How many people an audience has on each operator (a send of all of them reaches these)."""

    mci: int
    """People on MCI."""
    irancell: int
    """People on Irancell."""
    other: int
    """People on the other operators."""

    @property
    def total(self) -> int:
        """People on every operator."""
        return self.mci + self.irancell + self.other

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AudienceCounts:
        """Read a count answer (numbers may come as strings).

        :param data: the answer's ``data`` object.
        """
        return cls(
            mci=to_int(data["mci_count"]) or 0,
            irancell=to_int(data["irancell_count"]) or 0,
            other=to_int(data["other_count"]) or 0,
        )


@dataclass(frozen=True)
class OperatorWindow:
    """Whom of one operator's people a ``geolocation`` or ``job`` target takes.

    :param operator: 1 or ``"mci"``, 2 or ``"irancell"``, 13 or ``"other"``.
    :param start: the first person taken (from 0).
    :param size: how many; None takes everyone from ``start``.
    """

    operator: int | str
    start: int = 0
    size: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The window as a ``geolocation`` or ``job`` send takes it (operator as its id)."""
        body: dict[str, Any] = {"id": operator_id(self.operator), "start": self.start}
        if self.size is not None:
            body["size"] = self.size
        return body


def _without_none(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


@dataclass(frozen=True)
class CountryTarget:
    """One area of the country bank (sending type ``country``).

    :param province_id: an id of ``bank_provinces()``.
    :param pre: 2 to 6 leading digits of the national number the people have, e.g. 912.
    :param mci: ``OperatorRange(start, size)`` of MCI numbers taken (default: none).
    :param irancell: the same for Irancell.
    :param other: the same for the other operators.
    :param county_id: narrow to a county of the province (``bank_counties()``).
    :param city_id: narrow to a city of the county (``bank_cities()``).
    :param bank: ``"all"``, or ``"white"`` to leave blacklisted numbers out.
    :param gender: 0 everyone, 1 men, 2 women, 3 organisations.
    :param age_from: earliest birth year (Solar Hijri, 1300-1410).
    :param age_to: latest birth year.
    """

    province_id: int
    pre: int
    mci: OperatorRange = field(default_factory=OperatorRange)
    irancell: OperatorRange = field(default_factory=OperatorRange)
    other: OperatorRange = field(default_factory=OperatorRange)
    county_id: int | None = None
    city_id: int | None = None
    bank: str = "all"
    gender: int = 0
    age_from: int = 1300
    age_to: int = 1410

    def to_json(self) -> dict[str, Any]:
        """The target as a ``country`` send takes it (unset narrowing left out)."""
        body: dict[str, Any] = {
            "bank": self.bank,
            "pre": self.pre,
            "province_id": self.province_id,
            "county_id": self.county_id,
            "city_id": self.city_id,
            "gender": self.gender,
            "age_from": self.age_from,
            "age_to": self.age_to,
        }
        for name in ("mci", "irancell", "other"):
            window: OperatorRange = getattr(self, name)
            body[name] = {"start": window.start, "size": window.size}
        return _without_none(body)


@dataclass(frozen=True)
class GeoTarget:
    """One audience of the second country form (sending type ``geolocation``, "countryV2").

    Every field is optional: no province is the whole country, no operators everyone.

    :param province_id: an id of ``bank_provinces(bank="geolocation")``.
    :param county_id: a county of the province.
    :param city_id: a city of the county.
    :param pre: 2 to 6 leading digits of the national number, e.g. ``"912"``.
    :param gender: 0 everyone, 1 men, 2 women, 3 organisations.
    :param from_age: earliest birth year (Solar Hijri, 1300-1410).
    :param to_age: latest birth year.
    :param operators: :class:`OperatorWindow` per operator taken (empty: all of everyone).
    """

    province_id: int | None = None
    county_id: int | None = None
    city_id: int | None = None
    pre: str | None = None
    gender: int | None = None
    from_age: int | None = None
    to_age: int | None = None
    operators: Sequence[OperatorWindow] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The target as a ``geolocation`` send takes it (unset fields left out)."""
        body = _without_none(
            {
                "province_id": self.province_id,
                "county_id": self.county_id,
                "city_id": self.city_id,
                "pre": self.pre,
                "gender": self.gender,
                "from_age": self.from_age,
                "to_age": self.to_age,
            }
        )
        if self.operators:
            body["operator"] = [window.to_json() for window in self.operators]
        return body


@dataclass(frozen=True)
class JobTarget:
    """One job category's people (sending type ``job``).

    :param main_category_id: an id of ``job_categories()``.
    :param sub_category_id: an id of ``job_subcategories(main_category_id)``; None: all of them.
    :param operators: :class:`OperatorWindow` per operator taken (empty: all of everyone).
    """

    main_category_id: int
    sub_category_id: int | None = None
    operators: Sequence[OperatorWindow] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """The target as a ``job`` send takes it (unset fields left out)."""
        body: dict[str, Any] = {"main_category_id": self.main_category_id}
        if self.sub_category_id is not None:
            body["sub_category_id"] = self.sub_category_id
        if self.operators:
            body["operator"] = [window.to_json() for window in self.operators]
        return body
