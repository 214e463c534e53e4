"""The inbox and the look-ups of the country, geolocation and job banks, declared once for both
clients (a mixin of :class:`~ippanel_provider.client.api.IPPanelApi`; no I/O here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .audience_models import AudienceCounts, InboxMessage, JobSubCategory, Place, operator_id
from .core import Operation
from .engine import PageRequests, operation, paged
from .inbox import InboxQuery, InboxScan
from .models import Page
from .protocol import ApiRequest, Decoder, decode_page

Bank = Literal["country", "geolocation"]
BANK_PATHS = {"country": "/api/send/banks", "geolocation": "/v2/api/send/banks"}
JOBS = "/api/send/jobs"
MAX_SCAN_PAGES = 50
"""A search reads at most this many pages (of ``per_page``) per call; the rest waits for the
next call, from the watermark it returns."""


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def inbox_page(page: int, per_page: int, from_id: int | None) -> ApiRequest[Page[InboxMessage]]:
    """The request for one page of the inbox report (newest first)."""
    _check_positive(page=page, per_page=per_page)
    body: dict[str, Any] = {"page": page, "per_page": per_page}
    if from_id is not None:
        if isinstance(from_id, bool) or not isinstance(from_id, int) or from_id < 0:
            raise ValueError(f"from_id must be a message id (0 or more), got {from_id!r}")
        body["filters"] = {"from_id": from_id}
    decode = decode_page(InboxMessage.from_json, page, per_page)
    summary = "inbox report" + (f" after message {from_id}" if from_id is not None else "")
    return ApiRequest("POST", "/api/report/messages-inbox", decode, summary, json=body)


def _rows(item: Any) -> Decoder[list[Any]]:
    return lambda data, meta: [item(row) for row in data]


def _counts(data: Any, meta: Mapping[str, Any]) -> AudienceCounts:
    return AudienceCounts.from_json(data)


def _bank(bank: str) -> str:
    if bank not in BANK_PATHS:
        raise ValueError(f"bank must be 'country' or 'geolocation', got {bank!r}")
    return BANK_PATHS[bank]


def _params(**values: Any) -> dict[str, str]:
    for name, value in values.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | str)):
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    return {name: str(value) for name, value in values.items() if value is not None}


def _look_up(path: str, decode: Decoder[Any], summary: str, **params: Any) -> ApiRequest[Any]:
    return ApiRequest("GET", path, decode, summary, params=_params(**params) or None)


class InboxApi:
    """Received SMS and the banks' look-ups (see :class:`IPPanelApi`)."""

    @operation
    def messages_inbox(
        self, *, from_id: int | None = None, page: int = 1, per_page: int = 10
    ) -> Operation[Page[InboxMessage]]:
        """One page of the SMS received on the account's lines, newest first.

        :param from_id: only messages with a higher id (the last id you have seen); None: all.
        :param page: the page, from 1.
        :param per_page: messages per page (1 to 1000; default 10).
        """
        return (yield inbox_page(page, per_page, from_id))

    @paged
    def iter_messages_inbox(
        self, *, from_id: int | None = None, per_page: int = 100
    ) -> PageRequests[InboxMessage]:
        """Every received SMS (above ``from_id`` if given), newest first, ``per_page`` a request.

        :param from_id: only messages with a higher id; None: all.
        :param per_page: messages fetched per request (default 100).

        A message that arrives while iterating moves the others down a page, so one may be
        seen twice (never skipped); :meth:`search_inbox` removes repeats.
        """
        _check_positive(per_page=per_page)
        return lambda page: inbox_page(page, per_page, from_id)

    @operation
    def search_inbox(
        self, query: InboxQuery, *, from_id: int | None = None, per_page: int = 100
    ) -> Operation[InboxScan]:
        """Received SMS that match ``query``, oldest first, and the newest id read.

        :param query: an :class:`~ippanel_provider.client.inbox.InboxQuery` (senders, line,
            text / pattern / options, received_after).
        :param from_id: read only messages above this id (the ``last_id`` of the previous
            search); None reads from the newest back to ``query.received_after``.
        :param per_page: messages per request (default 100); at most 50 requests a call.
        """
        seen: dict[int, InboxMessage] = {}
        last_id = from_id
        for page in range(1, MAX_SCAN_PAGES + 1):
            result: Page[InboxMessage] = yield inbox_page(page, per_page, from_id)
            for message in result.items:
                seen[message.id] = message
                last_id = message.id if last_id is None else max(last_id, message.id)
            older = any(query.too_old(m) for m in result.items)
            if not (result.has_next and result.items) or (from_id is None and older):
                break
        matches = sorted((m for m in seen.values() if query.matches(m)), key=lambda m: m.id)
        return InboxScan(matches, last_id, len(seen))

    # ------------------------------------------------------------ look-ups

    @operation
    def bank_provinces(self, *, bank: Bank = "country") -> Operation[list[Place]]:
        """The provinces of a bank (ids for the country and geolocation sends).

        :param bank: ``"country"`` (``/api/send/banks``) or ``"geolocation"`` (the second
            form's ``/v2/api/send/banks``).
        """
        path = _bank(bank) + "/provinces"
        return (yield _look_up(path, _rows(Place.from_json), f"{bank} bank provinces"))

    @operation
    def bank_counties(self, province_id: int, *, bank: Bank = "country") -> Operation[list[Place]]:
        """The counties of a province.

        :param province_id: an id of :meth:`bank_provinces`.
        :param bank: ``"country"`` or ``"geolocation"``.
        """
        path, summary = _bank(bank) + "/counties", f"{bank} bank counties of {province_id}"
        decode = _rows(Place.from_json)
        return (yield _look_up(path, decode, summary, province_id=province_id))

    @operation
    def bank_cities(self, county_id: int, *, bank: Bank = "country") -> Operation[list[Place]]:
        """The cities of a county.

        :param county_id: an id of :meth:`bank_counties`.
        :param bank: ``"country"`` or ``"geolocation"``.
        """
        path, summary = _bank(bank) + "/cities", f"{bank} bank cities of {county_id}"
        return (yield _look_up(path, _rows(Place.from_json), summary, county_id=county_id))

    @operation
    def bank_genders(self) -> Operation[list[Place]]:
        """The genders the country bank filters by (ids for ``gender``)."""
        path = BANK_PATHS["country"] + "/genders"
        return (yield _look_up(path, _rows(Place.from_json), "country bank genders"))

    @operation
    def country_counts(
        self,
        province_id: int,
        *,
        county_id: int | None = None,
        city_id: int | None = None,
        gender: int | None = None,
        birth_year_from: int | None = None,
        birth_year_to: int | None = None,
        number_prefix: str | None = None,
    ) -> Operation[AudienceCounts]:
        """How many people of an area a ``country`` send can reach, per operator.

        :param province_id: an id of :meth:`bank_provinces`.
        :param county_id: narrow to a county (None: the whole province).
        :param city_id: narrow to a city (None: the whole county).
        :param gender: 1 men, 2 women, 3 organisations (None: everyone).
        :param birth_year_from: earliest birth year (Solar Hijri).
        :param birth_year_to: latest birth year.
        :param number_prefix: leading digits of the national number, e.g. ``"912"``.
        """
        params = {
            "province_id": province_id,
            "county_id": county_id,
            "city_id": city_id,
            "gender_id": gender,
            "birth_year_from": birth_year_from,
            "birth_year_to": birth_year_to,
            "number_prefix": number_prefix,
        }
        summary = f"country bank counts of province {province_id}"
        return (yield _look_up(BANK_PATHS["country"] + "/counts", _counts, summary, **params))

    @operation
    def geolocation_counts(
        self,
        province_id: int,
        *,
        county_id: int | None = None,
        city_id: int | None = None,
        gender: int | None = None,
        from_age: int | None = None,
        to_age: int | None = None,
        pre: str | None = None,
    ) -> Operation[AudienceCounts]:
        """How many people of an area a ``geolocation`` send can reach, per operator.

        :param province_id: an id of ``bank_provinces(bank="geolocation")``.
        :param county_id: narrow to a county (None: the whole province).
        :param city_id: narrow to a city (None: the whole county).
        :param gender: 1 men, 2 women, 3 organisations (None: everyone).
        :param from_age: earliest birth year (Solar Hijri).
        :param to_age: latest birth year.
        :param pre: leading digits of the national number, e.g. ``"912"``.
        """
        params = {
            "province_id": province_id,
            "county_id": county_id,
            "city_id": city_id,
            "gender": gender,
            "from_age": from_age,
            "to_age": to_age,
            "pre": pre,
        }
        summary = f"geolocation bank counts of province {province_id}"
        path = BANK_PATHS["geolocation"] + "/counts"
        return (yield _look_up(path, _counts, summary, **params))

    @operation
    def job_categories(self) -> Operation[list[Place]]:
        """The main job categories (ids for ``JobTarget.main_category_id``)."""
        return (yield _look_up(JOBS + "/categories", _rows(Place.from_json), "job categories"))

    @operation
    def job_subcategories(self, main_category_id: int) -> Operation[list[JobSubCategory]]:
        """The sub-categories of a main job category.

        :param main_category_id: an id of :meth:`job_categories`.
        """
        summary = f"job sub-categories of {main_category_id}"
        decode = _rows(JobSubCategory.from_json)
        path = JOBS + "/sub-categories"
        return (yield _look_up(path, decode, summary, main_category_id=main_category_id))

    @operation
    def job_counts(
        self,
        main_category_id: int,
        *,
        sub_category_id: int | None = None,
        operator: int | str | None = None,
        start: int | None = None,
        size: int | None = None,
    ) -> Operation[AudienceCounts]:
        """How many people of a job category a ``job`` send can reach, per operator.

        :param main_category_id: an id of :meth:`job_categories`.
        :param sub_category_id: an id of :meth:`job_subcategories` (None: all of them).
        :param operator: 1/``"mci"``, 2/``"irancell"`` or 13/``"other"`` (None: every one).
        :param start: count from this person (the window a send with ``start`` takes).
        :param size: count at most this many.
        """
        params = {
            "main_category_id": main_category_id,
            "sub_category_id": sub_category_id,
            "operator_id": None if operator is None else operator_id(operator),
            "start": start,
            "size": size,
        }
        summary = f"job counts of category {main_category_id}"
        return (yield _look_up(JOBS + "/number-count", _counts, summary, **params))
