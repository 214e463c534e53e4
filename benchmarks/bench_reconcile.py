"""Benchmark 7: what reconciling a rerun costs, for a 100,000-recipient send in 100 requests."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import requests
from harness import SANDBOX_API_KEY, SANDBOX_SENDER, Section, national_numbers, sandbox_process
from ippanel_provider.client import IPPanelClient
from ippanel_provider.client.reconcile import OutboxReconciler, watching_sends
from ippanel_provider.operators.reconcile import rerun_guard

MESSAGE = "Reconcile benchmark message"
CHUNK = 1000


def report_requests(url: str) -> int:
    response = requests.get(
        f"{url}/__sandbox/requests", params={"path": "/api/report/*", "per_page": 1}, timeout=30
    )
    response.raise_for_status()
    return int(response.json()["total"])


def rerun(client: IPPanelClient, numbers: list[str], since: float) -> tuple[float, Any, Any]:
    reconciler = OutboxReconciler(client, since)
    started = time.perf_counter()
    with watching_sends(client, reconciler):
        result = client.send_sms(numbers, MESSAGE, sender=SANDBOX_SENDER)
    return time.perf_counter() - started, result, reconciler


def run(recipients: int) -> Section:
    chunks = recipients // CHUNK
    section = Section(
        "7. Reconciling a rerun",
        f"A send of {recipients:,} recipients in {chunks} requests of {CHUNK:,} to one sandbox "
        "process, then the same send again as a try after the first (`on_rerun='reconcile'`): "
        "once after all of it went out, once after only the first half did. The first try goes "
        "through the operator's rerun guard with `try_number=1`; report calls are counted in "
        "the sandbox's request journal.",
    )
    numbers = national_numbers(recipients)
    log = SimpleNamespace(info=lambda *a: None, warning=lambda *a: None)
    with (
        sandbox_process("--max-journal", "100000") as sandbox,
        IPPanelClient(sandbox.url, api_key=SANDBOX_API_KEY, recipients_per_request=CHUNK) as client,
    ):
        since = time.time() - 60
        first_try = {"ti": SimpleNamespace(try_number=1), "dag_run": None}
        before = report_requests(sandbox.url)
        started = time.perf_counter()
        with rerun_guard("reconcile", first_try, client, lambda r: None, log):  # type: ignore[arg-type]
            first = client.send_sms(numbers, MESSAGE, sender=SANDBOX_SENDER)
        first_s = time.perf_counter() - started
        section.add("First try: the send", f"{first_s:.2f} s")
        calls = report_requests(sandbox.url) - before
        section.add("First try: report calls", str(calls), "0", calls == 0)

        all_s, again, reconciler = rerun(client, numbers, since)
        same = again.message_outbox_ids == first.message_outbox_ids and not reconciler.sent
        per_chunk = reconciler.report_calls / chunks
        section.add(
            "Rerun after all went out: time (nothing sent)", f"{all_s:.2f} s", "", same or None
        )
        section.add("Rerun after all went out: report calls per request", f"{per_chunk:.2f}")

        half = numbers[: recipients // 2]
        text = MESSAGE + " (half)"
        since = time.time() - 60
        client.send_sms(half, text, sender=SANDBOX_SENDER)
        reconciler = OutboxReconciler(client, since)
        started = time.perf_counter()
        with watching_sends(client, reconciler):
            result = client.send_sms(numbers, text, sender=SANDBOX_SENDER)
        half_s = time.perf_counter() - started
        section.add(
            "Rerun after half went out: time (half adopted, half sent)",
            f"{half_s:.2f} s ({len(reconciler.adopted)} adopted, {len(reconciler.sent)} sent)",
            "",
            (
                (len(reconciler.adopted), len(reconciler.sent))
                == (chunks // 2, chunks - chunks // 2)
                and len(result.message_outbox_ids) == chunks
            )
            or None,
        )
        section.add(
            "Rerun after half went out: report calls per request",
            f"{reconciler.report_calls / chunks:.2f}",
        )
    section.notes.append(
        "A rerun lists the outbox once per distinct text (pages of 100 bulks, created since the "
        "run was due) and reads the recipients of each listed bulk whose text and size match "
        "a request (pages of 1,000): about one recipients call per request that went out, none "
        "for one that did not."
    )
    return section
