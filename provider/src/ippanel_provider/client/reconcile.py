"""Find the bulks an earlier try of a send already created, so a rerun sends only the rest.

``POST /api/send`` has no idempotency key, but the outbox report lists every bulk with its sender
line, text and creation time, and the recipients report lists each bulk's numbers. A send request
is described by the bulks it creates (:class:`ExpectedBulk`); :class:`OutboxReconciler` looks each
one up among the bulks created since ``since`` and adopts a match instead of sending. No Airflow
here: ``operators/reconcile.py`` decides when to reconcile and from when.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import IPPanelApiError, IPPanelError
from .protocol import ApiRequest
from .recipients import _normalized_or_none
from .report_models import OutboxBulk

if TYPE_CHECKING:
    from .sync import IPPanelClient

logger = logging.getLogger("ippanel_provider.client")

REPORT_PAGE = 100
RECIPIENTS_PAGE = 1000
"""The largest page the recipients report serves: one call per chunk of 1,000 numbers."""


@dataclass(frozen=True)
class ExpectedBulk:
    """One bulk a send request creates: its sender line, its text (exact, or pieces it must
    contain, such as a pattern's parameter values) and its recipients (E.164). A pattern send
    names its ``pattern``: the bulk's text must contain that pattern's own words too."""

    sender: str | None
    recipients: frozenset[str]
    text: str | None = field(default=None, repr=False)
    contains: tuple[str, ...] = field(default=(), repr=False)
    pattern: str | None = None


Describer = Callable[[ApiRequest[Any]], "list[ExpectedBulk] | None"]
"""A send request -> the bulks it creates, in the order IPPanel returns their ids; None when the
request cannot be described (then it cannot be reconciled)."""


class CannotReconcile(IPPanelError):
    """A rerun could not tell which of a send's bulks already went out."""


def _numbers(values: Sequence[Any]) -> frozenset[str]:
    return frozenset(_normalized_or_none(str(value)) or str(value) for value in values)


def _csv_groups(files: Sequence[Any]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for part in files:
        if part.name != "files[]":
            continue
        raw = part.value.decode("utf-8-sig") if isinstance(part.value, bytes) else part.value
        rows = [row for row in csv.reader(io.StringIO(raw)) if row]
        for number, message in rows[1:]:  # header recipient,message
            groups.setdefault(message, []).append(number)
    return groups


def expected_bulks(request: ApiRequest[Any]) -> list[ExpectedBulk] | None:
    """The bulks of the sending types whose body names every recipient."""
    if request.files is not None:
        fields = {p.name: p.value for p in request.files if p.filename is None}
        if fields.get("sending_type") != "peer_to_peer_file":
            return None
        sender = str(fields.get("from_number") or "") or None
        groups = _csv_groups(request.files)
        return [ExpectedBulk(sender, _numbers(n), text=t) for t, n in groups.items()]
    body = request.json
    if not isinstance(body, Mapping):
        return None
    kind, sender, params = body.get("sending_type"), body.get("from_number"), body.get("params")
    if kind in ("webservice", "normal", "votp") and isinstance(params, Mapping):
        return [ExpectedBulk(sender, _numbers(params["recipients"]), text=body["message"])]
    if kind == "peer_to_peer" and isinstance(params, list):
        return [
            ExpectedBulk(sender, _numbers(item["recipients"]), text=item["message"])
            for item in params
        ]
    if kind == "pattern" and isinstance(params, Mapping):
        pieces = tuple(str(value) for value in params.values() if str(value))
        recipients = _numbers(body["recipients"])
        return [ExpectedBulk(sender, recipients, contains=pieces, pattern=str(body["code"]))]
    return None


def _same_line(a: str | None, b: str | None) -> bool:
    """Sender lines compared by their digits after any ``+98``/``98``/``0`` prefix."""
    if a is None or b is None:
        return True  # a VOTP has no sender; the report shows the system line

    def digits(value: str) -> str:
        text = "".join(ch for ch in value if ch.isdigit())
        for prefix in ("0098", "98", "0"):
            if text.startswith(prefix) and len(text) > len(prefix) + 3:
                return text[len(prefix) :]
        return text

    return digits(a) == digits(b)


class OutboxReconciler:
    """Adopts, for each send request, the bulks an earlier try created, or lets it be sent.

    A request whose bulks are all in the outbox (created at or after ``since``, same sender,
    same text or containing every piece, exactly the same recipients) is answered with their
    ids; one with none of them is sent; one with only some raises :class:`CannotReconcile`
    (IPPanel creates a request's bulks together, so that is someone else's send). Each bulk is
    adopted at most once per reconciler.
    """

    def __init__(
        self, client: IPPanelClient, since: float, describe: Describer = expected_bulks
    ) -> None:
        self.client = client
        self.since = int(since)
        self.describe = describe
        self.adopted: list[list[int]] = []
        """Per adopted request, the ids taken over from an earlier try."""
        self.sent: list[list[int]] = []
        """Per request sent by this try, its ids."""
        self.report_calls = 0
        self._listed: dict[str | None, list[OutboxBulk]] = {}
        self._recipients: dict[int, frozenset[str]] = {}
        self._taken: set[int] = set()
        self._pattern_words: dict[str, tuple[str, ...]] = {}

    def adopt(self, request: ApiRequest[Any]) -> list[int] | None:
        """The ids of ``request``'s bulks if an earlier try created them all, else None."""
        expected = self.describe(request)
        if expected is None:
            raise CannotReconcile(
                f"cannot reconcile the {request.summary}: its bulks cannot be described "
                "(sending type without a recipient list). Nothing was sent."
            )
        found = [self._find(bulk) for bulk in expected]
        ids = [bulk.messages_outbox_id for bulk in found if bulk is not None]
        if not ids:
            return None
        if len(ids) < len(found):
            raise CannotReconcile(
                f"the {request.summary} matches only {len(ids)} of its {len(found)} bulk(s) in "
                f"the outbox (ids {ids}); cannot tell whether it went out. Nothing was sent."
            )
        self._taken.update(ids)
        self.adopted.append(ids)
        return ids

    def _listing(self, text: str | None) -> list[OutboxBulk]:
        """Bulks created since ``since`` (with this text, when known), oldest first."""
        if text not in self._listed:
            filters: dict[str, Any] = {"create_from_date": str(self.since)}
            if text is not None:
                filters["message"] = text
            bulks = []
            for page in range(1, 10**6):
                self.report_calls += 1
                result = self.client.outbox_report(page=page, limit=REPORT_PAGE, filters=filters)
                bulks += result.items
                if not (result.has_next and result.items):
                    break
            self._listed[text] = sorted(bulks, key=lambda b: b.messages_outbox_id)
        return self._listed[text]

    def _numbers_of(self, bulk_id: int) -> frozenset[str]:
        if bulk_id not in self._recipients:
            numbers = []
            for page in range(1, 10**6):
                self.report_calls += 1
                result = self.client.bulk_recipients(bulk_id, page=page, per_page=RECIPIENTS_PAGE)
                numbers += [row.recipient for row in result.items]
                if not (result.has_next and result.items):
                    break
            self._recipients[bulk_id] = _numbers(numbers)
        return self._recipients[bulk_id]

    def _words_of(self, pattern: str) -> tuple[str, ...]:
        """The pattern's text around its ``%variable%`` slots, which every bulk it renders
        contains (one request per pattern per rerun); none when the pattern cannot be read."""
        if pattern not in self._pattern_words:
            self.report_calls += 1
            try:
                text = self.client.get_pattern(pattern).message or ""
            except IPPanelApiError as error:
                logger.warning(
                    "Pattern %s unreadable (%s): matching its values only", pattern, error
                )
                text = ""
            pieces = (piece.strip() for piece in re.split(r"%[^%\s]+%", text))
            self._pattern_words[pattern] = tuple(piece for piece in pieces if piece)
        return self._pattern_words[pattern]

    def _find(self, expected: ExpectedBulk) -> OutboxBulk | None:
        words = self._words_of(expected.pattern) if expected.pattern else ()
        for bulk in self._listing(expected.text):
            if bulk.messages_outbox_id in self._taken or (bulk.time or 0) < self.since:
                continue
            text = bulk.message or ""
            if expected.text is not None and text != expected.text:
                continue
            if not all(piece in text for piece in (*expected.contains, *words)):
                continue
            if not _same_line(expected.sender, bulk.number):
                continue
            size = len(expected.recipients)
            if bulk.rcpts_count is not None and bulk.rcpts_count != size:
                continue
            if self._numbers_of(bulk.messages_outbox_id) == expected.recipients:
                return bulk
        return None


class SendWatch:
    """What :func:`watching_sends` saw: the send request that failed, if one did.

    Kept in memory only, so a failed task can say whether a rerun could look that send up
    (``describe(failed)`` is not None) without describing the requests that went well.
    """

    def __init__(self) -> None:
        self.failed: ApiRequest[Any] | None = None


@contextmanager
def watching_sends(
    client: IPPanelClient, reconciler: OutboxReconciler | None = None
) -> Iterator[SendWatch]:
    """Route every send request ``client`` makes inside the block through ``reconciler`` (when
    given: an adopted request answers with the earlier try's ids, any other goes out as usual),
    and note the one that fails."""
    execute = client._execute_request
    watch = SendWatch()

    def watched(request: ApiRequest[Any]) -> Any:
        if not request.is_send:
            return execute(request)
        try:
            ids = None if reconciler is None else reconciler.adopt(request)
            if ids is not None:
                return ids
            ids = execute(request)
        except BaseException:
            watch.failed = request
            raise
        if reconciler is not None:
            reconciler.sent.append(list(ids))
        return ids

    vars(client)["_execute_request"] = watched
    try:
        yield watch
    finally:
        del vars(client)["_execute_request"]
