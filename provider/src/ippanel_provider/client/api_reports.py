"""The outbox and delivery reports, declared once (no I/O here).

A mixin of :class:`~ippanel_provider.client.api.IPPanelApi`: each method is a generator of
requests like those of ``api.py``; every one is a read, retried on anything transient.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core import Operation
from .engine import PageRequests, operation, paged
from .models import Page
from .protocol import ApiRequest, Decoder, decode_page, read
from .report_models import BulkRecipient, BulkStats, OutboxBulk, OutboxFilters


def _check_paging(page: int, size: int, size_name: str) -> None:
    if page < 1:
        raise ValueError(f"page must be at least 1, got {page}")
    if size < 1:
        raise ValueError(f"{size_name} must be at least 1, got {size}")


def outbox_page(
    page: int, limit: int, filters: OutboxFilters | Mapping[str, Any] | None
) -> ApiRequest[Page[OutboxBulk]]:
    _check_paging(page, limit, "limit")
    body: dict[str, Any] = {"page": page, "limit": limit}
    if filters is not None:
        body["filters"] = filters.to_json() if isinstance(filters, OutboxFilters) else dict(filters)
    decode = decode_page(OutboxBulk.from_json, page, limit)
    return read("POST", "/api/report/new_list", decode, "outbox report", json=body)


def recipients_page(outbox_id: int, page: int, per_page: int) -> ApiRequest[Page[BulkRecipient]]:
    _check_paging(page, per_page, "per_page")
    params = {"page": str(page), "per_page": str(per_page), "bulk_id": str(int(outbox_id))}
    decode = decode_page(BulkRecipient.from_json, page, per_page)
    summary = f"recipients of outbox {int(outbox_id)}"
    return read("GET", "/api/report/recipients", decode, summary, params=params)


class ReportsApi:
    """The outbox report, one bulk's report, stats and recipients."""

    @operation
    def outbox_report(
        self,
        *,
        page: int = 1,
        limit: int = 10,
        filters: OutboxFilters | Mapping[str, Any] | None = None,
    ) -> Operation[Page[OutboxBulk]]:
        """One page of the outbox report (bulks, newest first).

        :param page: the page number, from 1.
        :param limit: bulks per page.
        :param filters: :class:`OutboxFilters` or its JSON form; None for every bulk.
        """
        return (yield outbox_page(page, limit, filters))

    @paged
    def iter_outbox_report(
        self, *, filters: OutboxFilters | Mapping[str, Any] | None = None, page_size: int = 100
    ) -> PageRequests[OutboxBulk]:
        """Every bulk of the outbox report, fetching ``page_size`` at a time (an iterator;
        an async iterator on the async client).

        :param filters: :class:`OutboxFilters` or its JSON form; None for every bulk.
        :param page_size: bulks per request.
        """
        return lambda page: outbox_page(page, page_size, filters)

    @operation
    def bulk_report(self, outbox_id: int) -> Operation[OutboxBulk]:
        """One bulk's report row, read at the spec's ``POST /api/report/by_bulk/{id}`` (the
        later edition's ``GET /api/report/by_bulk?messages_outbox_id=`` is the same report).

        :param outbox_id: the bulk id.
        """

        def decode(data: Any, meta: Mapping[str, Any]) -> OutboxBulk:
            return OutboxBulk.from_json(data[0] if isinstance(data, list) else data)

        summary = f"report of outbox {int(outbox_id)}"
        path = f"/api/report/by_bulk/{int(outbox_id)}"
        return (yield read("POST", path, decode, summary, json={"page": 1, "limit": 10}))

    @operation
    def bulk_stats(self, outbox_id: int) -> Operation[BulkStats]:
        """A bulk's recipients counted by status, operator and language.

        :param outbox_id: the bulk id.
        """
        params = {"bulk_id": str(int(outbox_id))}
        decode: Decoder[BulkStats] = lambda data, meta: BulkStats.from_json(data)  # noqa: E731
        summary = f"stats of outbox {int(outbox_id)}"
        return (yield read("GET", "/api/report/bulk_stats", decode, summary, params=params))

    @operation
    def bulk_recipients(
        self, outbox_id: int, *, page: int = 1, per_page: int = 100
    ) -> Operation[Page[BulkRecipient]]:
        """One page of a bulk's recipients and their delivery status.

        :param outbox_id: the bulk id.
        :param page: the page number, from 1.
        :param per_page: recipients per page.
        """
        return (yield recipients_page(outbox_id, page, per_page))

    @paged
    def iter_bulk_recipients(
        self, outbox_id: int, *, per_page: int = 500
    ) -> PageRequests[BulkRecipient]:
        """Every recipient of a bulk, fetching ``per_page`` at a time (an iterator; an async
        iterator on the async client).

        :param outbox_id: the bulk id.
        :param per_page: recipients per request.
        """
        return lambda page: recipients_page(outbox_id, page, per_page)
