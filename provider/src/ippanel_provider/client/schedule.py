"""``send_time`` values: IPPanel wants ``YYYY-MM-DD HH:MM:SS`` in UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

SEND_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_send_time(value: datetime | str, *, now: Clock = utc_now) -> str:
    """Convert ``value`` to IPPanel's UTC ``send_time`` string, rejecting ambiguous or past times.

    Accepts timezone-aware datetimes (pendulum's included: they subclass datetime) and strings
    already in ``YYYY-MM-DD HH:MM:SS`` (read as UTC). A naive datetime is rejected because its
    zone is a guess; a time in the past is rejected because IPPanel would send at once.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"send_time {value.isoformat()} has no timezone; pass an aware datetime "
                "(e.g. datetime(..., tzinfo=UTC) or pendulum.datetime(..., tz='Asia/Tehran'))"
            )
        moment = value.astimezone(UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.strptime(value.strip(), SEND_TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise ValueError(
                f"send_time {value!r} is not in the form YYYY-MM-DD HH:MM:SS (UTC)"
            ) from None
    else:
        raise TypeError(
            f"send_time must be an aware datetime or a 'YYYY-MM-DD HH:MM:SS' string, "
            f"not {type(value).__name__}"
        )
    current = now()
    if moment <= current:
        raise ValueError(
            f"send_time {moment.strftime(SEND_TIME_FORMAT)} UTC is not in the future "
            f"(now is {current.astimezone(UTC).strftime(SEND_TIME_FORMAT)} UTC)"
        )
    return moment.strftime(SEND_TIME_FORMAT)
