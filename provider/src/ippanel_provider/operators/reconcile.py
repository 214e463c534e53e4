"""What a send operator does when it runs again: after a retry, a crash of its worker, or a clear.

Airflow cannot tell the operator whether an earlier try's send went out (XCom is wiped at the
start of every try, and a worker killed after IPPanel accepted the send wrote nothing), so a
try after the first asks IPPanel: ``on_rerun="reconcile"`` (default) looks up, in the outbox
report, the bulks this send would create among those created since the DAG run was due, adopts
those it finds and sends only the rest (``client/reconcile.py``); ``"fail"`` fails the task
without sending; ``"resend"`` sends everything again. A first try costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Context
    from ippanel_provider.client import IPPanelClient
    from ippanel_provider.client.reconcile import Describer, OutboxReconciler, SendWatch

RERUN_POLICIES = ("reconcile", "fail", "resend")
CLOCK_SKEW_SECONDS = 60
"""How far IPPanel's clock may run behind the worker's: the search starts this much earlier."""


def checked_policy(value: str) -> str:
    if value not in RERUN_POLICIES:
        raise ValueError(f"on_rerun must be one of {RERUN_POLICIES}, got {value!r}")
    return value


def is_rerun(context: Context) -> bool:
    """True on any try after the first: a retry, or a run after the task was cleared (Airflow
    counts tries across clears)."""
    ti = context.get("ti")
    return int(getattr(ti, "try_number", 1) or 1) > 1


def window_start(context: Context) -> float:
    """Unix seconds from which an earlier try's bulks are looked for: the moment the DAG run was
    due (``run_after``; kept across clears, unlike the run's ``start_date``), less the skew."""
    run = context.get("dag_run")
    moments: list[datetime] = [
        moment
        for moment in (getattr(run, "run_after", None), getattr(run, "start_date", None))
        if isinstance(moment, datetime)
    ]
    if not moments:
        from ippanel_provider.airflow_compat import AirflowFailException

        raise AirflowFailException(
            "on_rerun='reconcile' needs the DAG run's run_after or start_date; neither is known"
        )
    return min(moments).timestamp() - CLOCK_SKEW_SECONDS


@contextmanager
def rerun_guard(
    policy: str, context: Context, client: IPPanelClient, describe: Describer, log: Any
) -> Iterator[SendWatch]:
    """Around one send: on a first try, only watch it; on a rerun, apply ``policy``. The watch
    names the send request that failed, if one did."""
    from ippanel_provider.client.reconcile import OutboxReconciler, watching_sends

    if not is_rerun(context):
        with watching_sends(client) as watch:
            yield watch
        return
    try_number = context["ti"].try_number
    if policy == "fail":
        from ippanel_provider.airflow_compat import AirflowFailException

        raise AirflowFailException(
            f"Try {try_number} of an IPPanel send: an earlier try may already have texted the "
            "recipients, and on_rerun='fail'. Nothing was sent. Check the IPPanel outbox "
            "report; set on_rerun='reconcile' to send only what did not go out, or 'resend'."
        )
    if policy == "resend":
        log.warning("Try %d: on_rerun='resend', sending everything again.", try_number)
        with watching_sends(client) as watch:
            yield watch
        return
    since = window_start(context)
    reconciler = OutboxReconciler(client, since, describe)
    log.info(
        "Try %d: looking up bulks an earlier try created since %s before sending.",
        try_number,
        datetime.fromtimestamp(since).astimezone().isoformat(timespec="seconds"),
    )
    with watching_sends(client, reconciler) as watch:
        try:
            yield watch
        finally:
            report(reconciler, log)


def report(reconciler: OutboxReconciler, log: Any) -> None:
    adopted = [bulk for ids in reconciler.adopted for bulk in ids]
    sent = [bulk for ids in reconciler.sent for bulk in ids]
    log.info(
        "Reconciled with the outbox (%d report call(s)): %d request(s) had gone out before, "
        "adopted outbox ids %s; %d request(s) sent now, outbox ids %s.",
        reconciler.report_calls,
        len(reconciler.adopted),
        adopted,
        len(reconciler.sent),
        sent,
    )
