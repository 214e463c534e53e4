"""Benchmark 4: 100,000 recipients through IPPanelClient vs a plain requests.Session loop."""

from __future__ import annotations

import time
from typing import Any

import requests
from harness import (
    SANDBOX_API_KEY,
    SANDBOX_SENDER,
    Section,
    median,
    national_numbers,
    sandbox_process,
)
from ippanel_provider.client import IPPanelClient
from ippanel_provider.client.recipients import normalize_recipients

MESSAGE = "Bulk benchmark message"
CHUNK = 1000


def prebuilt_chunks(numbers: list[str]) -> list[dict[str, Any]]:
    """The request bodies the plain loop posts: the same chunks the client sends."""
    return [
        {
            "sending_type": "webservice",
            "from_number": SANDBOX_SENDER,
            "message": MESSAGE,
            "params": {"recipients": numbers[i : i + CHUNK]},
        }
        for i in range(0, len(numbers), CHUNK)
    ]


def send_with_client(url: str, numbers: list[str]) -> float:
    with IPPanelClient(url, api_key=SANDBOX_API_KEY, recipients_per_request=CHUNK) as client:
        started = time.perf_counter()
        result = client.send_sms(numbers, MESSAGE, sender=SANDBOX_SENDER)
        elapsed = time.perf_counter() - started
    if result.recipients != len(numbers) or len(result.message_outbox_ids) != result.chunks:
        raise RuntimeError(f"client send incomplete: {result}")
    return elapsed


def send_with_requests(url: str, bodies: list[dict[str, Any]]) -> float:
    with requests.Session() as session:
        session.headers.update({"Authorization": SANDBOX_API_KEY, "Accept": "application/json"})
        started = time.perf_counter()
        for body in bodies:
            response = session.post(f"{url}/api/send", json=body, timeout=30)
            if response.status_code != 200 or not response.json()["meta"]["status"]:
                raise RuntimeError(f"plain send failed: HTTP {response.status_code}")
        return time.perf_counter() - started


def run(recipients: int, repetitions: int) -> Section:
    section = Section(
        "4. Bulk send overhead",
        f"{recipients:,} recipients in chunks of {CHUNK:,} to one sandbox process: "
        f"`IPPanelClient.send_sms(..., recipients_per_request={CHUNK})` (normalization, "
        "planning, retry wrapper, envelope parsing) vs a plain `requests.Session` posting the "
        f"same pre-built chunk bodies. {repetitions} rounds, each a back-to-back pair in "
        "alternating order; the target applies to the ratio of the medians; the median of the "
        "per-round ratios (each pair shares the machine's load of the moment) is shown too.",
    )
    numbers = national_numbers(recipients)
    bodies = prebuilt_chunks(numbers)
    local_form = ["0" + n.removeprefix("+98") for n in numbers]
    client_times: list[float] = []
    plain_times: list[float] = []
    local_times: list[float] = []
    with sandbox_process() as sandbox:
        send_with_requests(sandbox.url, bodies[:5])  # warm the server
        for i in range(repetitions):
            if i % 2 == 0:
                client_times.append(send_with_client(sandbox.url, numbers))
                plain_times.append(send_with_requests(sandbox.url, bodies))
            else:
                plain_times.append(send_with_requests(sandbox.url, bodies))
                client_times.append(send_with_client(sandbox.url, numbers))
            local_times.append(send_with_client(sandbox.url, local_form))
    client_s, plain_s = median(client_times), median(plain_times)
    ratio = client_s / plain_s
    paired = median([c / p for c, p in zip(client_times, plain_times, strict=True)])
    section.add("Plain requests.Session loop, median", f"{plain_s:.2f} s")
    section.add("IPPanelClient.send_sms, median", f"{client_s:.2f} s")
    section.add("Client / plain (ratio of the medians)", f"{ratio:.2f}×", "≤ 1.3×", ratio <= 1.3)
    section.add("Client / plain (median of the per-round ratios, context)", f"{paired:.2f}×")
    local_s = median(local_times)
    section.add(
        "IPPanelClient.send_sms, numbers given as 0912…, median (context)",
        f"{local_s:.2f} s ({local_s / plain_s:.2f}× plain)",
    )
    normalize_times = []
    for _ in range(repetitions):
        started = time.perf_counter()
        normalize_recipients(local_form)
        normalize_times.append(time.perf_counter() - started)
    per_100k = median(normalize_times) * 100_000 / recipients
    section.add(
        "normalize_recipients, numbers given as 0912…, per 100,000 numbers, median",
        f"{per_100k:.2f} s",
        "< 1 s",
        per_100k < 1.0,
    )
    section.notes.append(
        "Rounds (client, plain): "
        + ", ".join(f"{c:.2f}/{p:.2f} s" for c, p in zip(client_times, plain_times, strict=True))
    )
    return section
