"""Persian field names and messages, shared by the domain rules and the request validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

FIELD_LABELS: dict[str, str] = {
    "username": "نام کاربری",
    "password": "گذرواژه",
    "message": "پیام",
    "files": "فایل ها",
    "mobile": "موبایل",
    "from_number": "شماره فرستنده",
    "recipients": "گیرندگان",
    "send_time": "زمان ارسال",
}


def label(field: str) -> str:
    leaf = field.rsplit(".", 1)[-1]
    return FIELD_LABELS.get(leaf, field)


def required_message(field: str) -> str:
    return required_attribute(label(field))


def invalid_message(field: str) -> str:
    return f"مقدار گزینه {label(field)} معتبر نیست"


def not_allowed_message(field: str) -> str:
    return f"گزینه {field} مجاز نیست"


def attribute(field: str) -> str:
    """A field as the later edition's (Laravel) validation names it: its path with spaces for
    underscores (`draft_group_id` -> "draft group id")."""
    return field.replace("_", " ")


def required_attribute(name: str) -> str:
    return f"تکمیل گزینه {name} الزامی است"


def summary(fields: Mapping[str, Sequence[str]]) -> str:
    """Laravel's top message: the first problem, and how many more there are."""
    messages = [message for problems in fields.values() for message in problems]
    if not messages:
        return "اطلاعات ارسالی معتبر نیست"
    more = len(messages) - 1
    return f"{messages[0]} (و {more} خطای دیگر)" if more else messages[0]
