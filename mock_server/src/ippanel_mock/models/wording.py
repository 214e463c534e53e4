"""Persian field names and messages, shared by the domain rules and the request validation;
and text made safe to show (valid Unicode)."""

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
    "province_id": "province id",
    "county_id": "county id",
    "city_id": "city id",
    "main_category_id": "شناسه دسته بندی اصلی",
    "sub_category_id": "شناسه زیر دسته بندی",
    "operator_id": "شناسه اپراتور",
    "gender_id": "gender id",
    "number_prefix": "number prefix",
    "from": "فرستنده",
    "to": "گیرنده",
}


def label(field: str) -> str:
    leaf = field.rsplit(".", 1)[-1]
    return FIELD_LABELS.get(leaf, field)


def required_message(field: str) -> str:
    return required_attribute(label(field))


def invalid_message(field: str) -> str:
    return f"مقدار گزینه {label(field)} معتبر نیست"


def repeated_message(field: str) -> str:
    return f"گزینه {label(field)} بیش از یک مقدار دارد"


def not_allowed_message(field: str) -> str:
    return f"گزینه {field} مجاز نیست"


def valid_unicode(text: str) -> str:
    """`text` with every lone surrogate (from bytes that were not UTF-8) replaced by U+FFFD."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


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
