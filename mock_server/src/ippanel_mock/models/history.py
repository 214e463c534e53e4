"""Seeded fake data: postal-code audiences, a pre-filled outbox for report demos and a sample
phonebook."""

from __future__ import annotations

import random
from array import array
from typing import TYPE_CHECKING

from ippanel_mock.models.phones import BLACKLISTED, Operator, magic_final_status

if TYPE_CHECKING:
    from ippanel_mock.models.outbox import Outbox
    from ippanel_mock.models.phonebooks import PhonebookStore
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
    seed: int, postal_code: int, operator: Operator, start: int, size: int, *, white: bool = False
) -> array:
    """National numbers [start, start+size) of the seeded audience living in a postal code; a
    window past the audience's end yields only the people who exist (possibly none). With
    ``white`` (``bank: white``) the window is of the people left once the blacklisted (the
    magic numbers ending 0004) are out, as the banks' filters do. Draws only as far as the
    window reaches."""
    if start < 0 or size < 0:
        raise ValueError("start and size must not be negative")
    rng = random.Random(f"{seed}:{postal_code}:{operator}")
    prefixes = AUDIENCE_PREFIXES[operator]
    numbers = array("q")
    kept = 0
    for _ in range(MAX_AUDIENCE):
        if kept >= start + size:
            break
        prefix = prefixes[rng.randrange(len(prefixes))]
        national = prefix * 10_000_000 + rng.randrange(10_000_000)
        if white and magic_final_status(national) == BLACKLISTED:
            continue
        if kept >= start:
            numbers.append(national)
        kept += 1
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


SAMPLE_PHONEBOOK = "مشتریان نمونه"


def fill_phonebook(store: PhonebookStore, user: User, *, seed: int, count: int) -> None:
    """A phonebook of `count` people (faker fa_IR names, titles and emails; seeded numbers, no
    two alike) with a birthday option, the same for the same seed."""
    if count <= 0:
        return
    from faker import Faker  # slow to import; only when a sample phonebook is asked for

    from ippanel_mock.models.phonebooks import ContactFields

    fake = Faker("fa_IR")
    fake.seed_instance(seed)
    rng = random.Random(f"phonebook:{seed}")
    birthday = store.add_option(user, "تاریخ تولد", "date")
    book = store.create(user, SAMPLE_PHONEBOOK, [birthday.id])
    while book.size < count:
        operator: Operator = rng.choice(("mci", "irancell", "other"))
        national = rng.choice(AUDIENCE_PREFIXES[operator]) * 10_000_000 + rng.randrange(10**7)
        if national in book.by_number:
            continue
        female = rng.random() < 0.5
        born = f"{rng.randint(1330, 1385)}/{rng.randint(1, 12):02d}/{rng.randint(1, 29):02d}"
        fields = ContactFields(
            f"+98{national}",
            "خانم" if female else "آقای",
            fake.name_female() if female else fake.name_male(),
            fake.free_email(),
            {str(birthday.id): born},
        )
        store.put(book, store.make_contact(book, fields))
