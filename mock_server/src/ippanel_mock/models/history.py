"""Seeded fake data: postal-code audiences and a pre-filled outbox for report demos."""

from __future__ import annotations

import random
from array import array
from typing import TYPE_CHECKING

from ippanel_mock.models.phones import Operator

if TYPE_CHECKING:
    from ippanel_mock.models.outbox import Outbox
    from ippanel_mock.models.users import User

AUDIENCE_PREFIXES: dict[Operator, tuple[int, ...]] = {
    "mci": (910, 912, 913, 915, 917, 919, 990),
    "irancell": (901, 930, 933, 935, 936, 937, 938, 939),
    "other": (920, 921, 922),
}
MAX_AUDIENCE = 10_000
"""People per postal code and operator. With at most 30 targets a send draws at most
30 × 3 × 10,000 = 900,000 recipients, so the JSON Schema alone bounds a postal-code send."""

HISTORY_DAYS = 30
HISTORY_TYPES = ("webservice", "normal", "peer_to_peer", "pattern", "postal_code")


def postal_audience(
    seed: int, postal_code: int, operator: Operator, start: int, size: int
) -> array:
    """National numbers [start, start+size) of the seeded audience living in a postal code; a
    window past the audience's end yields only the people who exist (possibly none)."""
    if start < 0 or size < 0:
        raise ValueError("start and size must not be negative")
    stop = min(start + size, MAX_AUDIENCE)
    rng = random.Random(f"{seed}:{postal_code}:{operator}")
    prefixes = AUDIENCE_PREFIXES[operator]
    numbers = array("q")
    for index in range(stop):
        prefix = prefixes[rng.randrange(len(prefixes))]
        national = prefix * 10_000_000 + rng.randrange(10_000_000)
        if index >= start:
            numbers.append(national)
    return numbers


def fill_history(outbox: Outbox, user: User, *, seed: int, count: int, now: float) -> None:
    """Create `count` finished bulks for the user, spread over the past 30 days."""
    if count <= 0:
        return
    from faker import Faker  # slow to import; only when history is asked for

    fake = Faker("fa_IR")
    fake.seed_instance(seed)
    rng = random.Random(f"history:{seed}")
    times = sorted(now - rng.uniform(60.0, HISTORY_DAYS * 86_400.0) for _ in range(count))
    for created_at in times:
        recipients = array("q")
        for _ in range(rng.randint(1, 5)):
            operator: Operator = rng.choice(("mci", "irancell", "other"))
            prefix = rng.choice(AUDIENCE_PREFIXES[operator])
            recipients.append(prefix * 10_000_000 + rng.randrange(10_000_000))
        outbox.create(
            user,
            sender=rng.choice(user.senders) if user.senders else "+983000505",
            text=fake.sentence(nb_words=rng.randint(3, 12)),
            recipients=recipients,
            sending_type=rng.choice(HISTORY_TYPES),
            created_at=created_at,
            send_time=created_at,
        )
