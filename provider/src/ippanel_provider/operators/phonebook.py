"""Phonebooks in a DAG: send to one (``phonebook``, ``keyword_phonebook``), and keep one equal to
a source of numbers (a CSV file, a list, an upstream task's rows).

Like ``send.py``, the module imports only Airflow's base operator at the top; the hook and the
client load inside ``execute``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ippanel_provider.airflow_compat import BaseOperator
from ippanel_provider.operators.base import IPPanelSendOperatorBase

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Context
    from ippanel_provider.client import IPPanelClient, SendResult

IdsArg = int | str | Iterable[int | str]
BAD_ROW_CHOICES = ("fail", "skip")


def _literal(value: Any) -> Any:
    """A rendered string that is a list literal (a list param without native rendering),
    as that list; anything else unchanged."""
    if isinstance(value, str) and value.strip()[:1] in "[(" and value.strip():
        try:
            parsed = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
        return parsed if isinstance(parsed, list | tuple) else value
    return value


def coerce_ids(value: Any, what: str) -> list[int]:
    """Rendered ids as ints: one id, ``"1, 2"``, a list, or a list's repr."""
    value = _literal(value)
    if isinstance(value, str):
        value = [part for part in value.replace(";", ",").split(",") if part.strip()]
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise TypeError(f"{what} must be ids: a number, a comma-separated string or a list")
    ids = []
    for item in value:
        text = str(item).strip()
        if isinstance(item, bool) or not text.isdigit() or int(text) < 1:
            raise ValueError(f"{what} must be positive ids, got {item!r}")
        ids.append(int(text))
    if not ids:
        raise ValueError(f"{what} is empty: give at least one phonebook id")
    return ids


class IPPanelPhonebookSendOperator(IPPanelSendOperatorBase):
    """Send one message to the numbers of phonebooks (each number once; IPPanel counts them).

    :param message: the text (templated).
    :param phonebook_ids: the phonebooks (templated): an id, ``"1, 2"``, or a list, e.g.
        ``"{{ ti.xcom_pull(task_ids='sync')['phonebook_id'] }}"``.
    :param start: skip this many numbers (over the phonebooks in order); default 0.
    :param size: take at most this many numbers; default all.
    """

    template_fields: Sequence[str] = ("message", "phonebook_ids", "sender", "send_time")
    template_fields_renderers: ClassVar[dict[str, str]] = {"message": "txt"}

    def __init__(
        self,
        *,
        message: str,
        phonebook_ids: IdsArg,
        start: int | None = None,
        size: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.message = message
        self.phonebook_ids = phonebook_ids
        self.start = start
        self.size = size

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        books = coerce_ids(self.phonebook_ids, "phonebook_ids")
        return client.send_phonebook(
            str(self.message),
            books,
            start=self.start,
            size=self.size,
            sender=sender,
            send_time=self.send_time,
        )


class IPPanelKeywordPhonebookSendOperator(IPPanelSendOperatorBase):
    """Send each number of phonebooks the message with its own option values filled in.

    :param message: the text (templated), with ``{ex_<option id>}`` slots, e.g.
        ``"Your balance: {ex_46001} Rial"``.
    :param phonebook_ids: the phonebooks (templated): an id, ``"1, 2"``, or a list.
    """

    template_fields: Sequence[str] = ("message", "phonebook_ids", "sender", "send_time")
    template_fields_renderers: ClassVar[dict[str, str]] = {"message": "txt"}

    def __init__(self, *, message: str, phonebook_ids: IdsArg, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message
        self.phonebook_ids = phonebook_ids

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        books = coerce_ids(self.phonebook_ids, "phonebook_ids")
        return client.send_keyword_phonebook(
            str(self.message), books, sender=sender, send_time=self.send_time
        )


class IPPanelPhonebookSyncOperator(BaseOperator):
    """Make an IPPanel phonebook hold exactly the numbers of a source; returns the counts.

    The counts (its XCom): ``{"phonebook_id", "phonebook_title", "created", "added",
    "updated", "unchanged", "removed", "not_in_source", "skipped_rows", "duplicate_rows"}``.

    Numbers are normalized (``0912…``, ``+98 912 …``, Persian digits: one person) and a number
    listed twice counts once (its first row wins). Only what differs is written, so a second
    run with the same source changes nothing, and retrying the task is safe. The ``pre``,
    ``name`` and ``email`` of a number are synced when the source has those columns (a column
    it lacks is left as IPPanel has it; other columns are ignored, with a warning).

    :param phonebook: the phonebook's exact title, or its id (templated).
    :param source: a CSV file path (header with ``number``; templated), or rows: numbers, or
        mappings with ``number`` and optionally ``pre``, ``name``, ``email`` (e.g. an upstream
        task's ``XComArg``).
    :param number_column: the CSV column (or mapping key) holding the number; ``number``.
    :param remove_missing: delete the phonebook's numbers the source does not list; default
        False (they are kept and counted as ``not_in_source``).
    :param create_missing: create the phonebook (by its title) when there is none; default True.
    :param on_bad_row: ``fail`` (default: nothing is written, the error names every bad row,
        1-based: file line with the header as line 1, or list item) or ``skip`` (log them, sync
        the good rows; counted as ``skipped_rows``).
    :param ippanel_conn_id: the Airflow connection of type ``ippanel`` to sync through; default
        ``ippanel_default``.
    """

    template_fields: Sequence[str] = ("phonebook", "source")
    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        phonebook: str | int,
        source: Any,
        number_column: str = "number",
        remove_missing: bool = False,
        create_missing: bool = True,
        on_bad_row: str = "fail",
        ippanel_conn_id: str = "ippanel_default",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if on_bad_row not in BAD_ROW_CHOICES:
            raise ValueError(f"on_bad_row must be one of {BAD_ROW_CHOICES}, got {on_bad_row!r}")
        self.phonebook = phonebook
        self.source = source
        self.number_column = number_column
        self.remove_missing = remove_missing
        self.create_missing = create_missing
        self.on_bad_row = on_bad_row
        self.ippanel_conn_id = ippanel_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from ippanel_provider.airflow_compat import AirflowFailException
        from ippanel_provider.client.errors import (
            IPPanelAuthError,
            IPPanelNotFoundError,
            IPPanelValidationError,
        )
        from ippanel_provider.client.phonebook_sync import read_phonebook_rows
        from ippanel_provider.hooks.ippanel import IPPanelHook

        try:
            rows = read_phonebook_rows(_literal(self.source), number_column=self.number_column)
        except (OSError, ValueError, TypeError) as exc:
            raise AirflowFailException(f"cannot read the phonebook source: {exc}") from exc
        if rows.bad and self.on_bad_row == "fail":
            raise AirflowFailException(
                f"{len(rows.bad)} bad row(s), nothing written (on_bad_row='skip' syncs the "
                f"good ones): {rows.describe_bad()}"
            )
        if rows.bad:
            self.log.warning("Skipping %d bad row(s): %s", len(rows.bad), rows.describe_bad())
        if rows.duplicates:
            shown = ", ".join(map(str, rows.duplicates[:20]))
            self.log.info(
                "%d row(s) repeat an earlier number and were left out (%s %s)",
                len(rows.duplicates),
                rows.unit,
                shown,
            )
        if rows.ignored_columns:
            self.log.warning("Ignoring column(s) %s", ", ".join(rows.ignored_columns))
        with IPPanelHook(self.ippanel_conn_id) as hook:
            try:
                counts = hook.get_conn().sync_phonebook(
                    str(self.phonebook),
                    rows,
                    remove_missing=self.remove_missing,
                    create_missing=self.create_missing,
                )
            except (
                ValueError,
                IPPanelValidationError,
                IPPanelAuthError,
                IPPanelNotFoundError,
            ) as exc:
                raise AirflowFailException(f"phonebook sync failed (not retried): {exc}") from exc
        result = {
            **counts.to_dict(),
            "skipped_rows": len(rows.bad),
            "duplicate_rows": len(rows.duplicates),
        }
        self.log.info(
            "Phonebook %s (%r)%s: %d added, %d updated, %d unchanged, %d removed, %d not in "
            "the source",
            counts.phonebook_id,
            counts.phonebook_title,
            " created" if counts.created else "",
            counts.added,
            counts.updated,
            counts.unchanged,
            counts.removed,
            counts.not_in_source,
        )
        return result
