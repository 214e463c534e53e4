"""Job categories of the job bank: IPPanel's eight main categories (ids and names as its
documentation lists them) and a fixed table of sub-categories under each."""

from __future__ import annotations

MAIN_CATEGORIES: dict[int, str] = {
    1: "صنایع و اصناف",
    2: "املاک، خودرو و حمل و نقل",
    3: "رستوران و صنعت غذا",
    4: "عکاسان و خدمات الکترونیکی و رایانه‌ای",
    5: "پوشاک و صنایع مرتبط",
    6: "لوازم خانگی، تاسیسات و صنعت ساختمان",
    7: "سایر",
    8: "سلامت، زیبایی و لوازم شخصی",
}

SUB_CATEGORIES: dict[int, tuple[str, int]] = {
    1: ("صنفی", 1),
    2: ("صنعتی", 1),
    3: ("قصابان و کاشی‌سازان و فخاران", 1),
    4: ("مشاوران املاک", 2),
    5: ("نمایشگاه‌های خودرو", 2),
    6: ("باربری و حمل و نقل", 2),
    7: ("رستوران‌ها", 3),
    8: ("فست‌فود", 3),
    9: ("قنادی و شیرینی‌فروشی", 3),
    10: ("آتلیه‌های عکاسی", 4),
    11: ("خدمات رایانه‌ای", 4),
    12: ("فروشگاه‌های موبایل", 4),
    13: ("پوشاک", 5),
    14: ("کیف و کفش", 5),
    15: ("خیاطی", 5),
    16: ("لوازم خانگی", 6),
    17: ("تاسیسات ساختمانی", 6),
    18: ("مصالح ساختمانی", 6),
    19: ("آموزشگاه‌ها", 7),
    20: ("سایر مشاغل", 7),
    21: ("پزشکان", 8),
    22: ("داروخانه‌ها", 8),
    23: ("آرایشگاه‌ها", 8),
}
"""id -> (name, main category id); ids 1 and 3 are the ones IPPanel's documentation shows."""


def subcategories_of(main_id: int) -> list[tuple[int, str]]:
    return [(sub_id, name) for sub_id, (name, main) in SUB_CATEGORIES.items() if main == main_id]


def job_key(main_id: int, sub_id: int | None) -> str | None:
    """The audience a category names, or None when the sub-category is not under the main one."""
    if main_id not in MAIN_CATEGORIES:
        return None
    if sub_id is None:
        return f"job:{main_id}"
    sub = SUB_CATEGORIES.get(sub_id)
    return f"sub:{sub_id}" if sub is not None and sub[1] == main_id else None
