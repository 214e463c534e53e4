"""Where audiences live: Iran's provinces (ids as IPPanel lists them), their counties and cities.

A fixed table, the same for every seed: the provinces and South Khorasan's counties carry the
ids of IPPanel's documentation, Tehran's county and city the ids of its example send; every other
county and city is numbered in table order. Each county has its seat as its city.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_COUNTY_ID = 212
"""The first county in table order (Tehran county) gets the id of IPPanel's example send."""
CITY_IDS = {147: 12, 212: 82}
"""County id -> the id of its seat where the documentation shows one (Birjand, Tehran)."""

# province id|province name|counties: name[=county id][:seat, when it differs; empty: none];
# a line starting with a comma goes on with the counties of the line above
TABLE = """
89|تهران|تهران,شمیرانات:تجریش,ری,اسلامشهر,شهریار,ورامین,دماوند,پاکدشت
90|یزد|یزد,میبد,اردکان,تفت,مهریز,ابرکوه
91|کرمانشاه|کرمانشاه,اسلام‌آباد غرب,هرسین,سنقر,کنگاور,پاوه
92|اصفهان|اصفهان,کاشان,نجف‌آباد,خمینی‌شهر,شاهین‌شهر و میمه:شاهین‌شهر,گلپایگان,شهرضا
93|قزوین|قزوین,تاکستان,البرز:محمدیه,بوئین‌زهرا,آبیک
94|آذربایجان شرقی|تبریز,مراغه,مرند,میانه,اهر,بناب
95|گلستان|گرگان,گنبد کاووس,علی‌آباد کتول:علی‌آباد,بندر ترکمن,کردکوی
96|همدان|همدان,ملایر,نهاوند,تویسرکان,اسدآباد
97|کرمان|کرمان,رفسنجان,سیرجان,بم,جیرفت,زرند
98|خراسان شمالی|بجنورد,شیروان,اسفراین,جاجرم
99|زنجان|زنجان,ابهر,خدابنده:قیدار,خرمدره
100|لرستان|خرم‌آباد,بروجرد,دورود,الیگودرز,کوهدشت
101|سیستان وبلوچستان|زاهدان,زابل,چابهار,ایرانشهر,سراوان,خاش
102|البرز|کرج,فردیس,ساوجبلاغ:هشتگرد,نظرآباد,طالقان
103|سمنان|سمنان,شاهرود,دامغان,گرمسار
104|بوشهر|بوشهر,دشتستان:برازجان,کنگان,گناوه,دشتی:خورموج
105|کردستان|سنندج,سقز,مریوان,بانه,بیجار
106|هرمزگان|بندرعباس,قشم,میناب,بندر لنگه,رودان
107|گیلان|رشت,بندر انزلی,لاهیجان,لنگرود,تالش:هشتپر,آستارا
108|کهگیلویه وبویراحمد|بویراحمد:یاسوج,کهگیلویه:دهدشت,گچساران:دوگنبدان,دنا:سی‌سخت
109|مازندران|ساری,بابل,آمل,قائم‌شهر,تنکابن,نوشهر,چالوس
110|فارس|شیراز,مرودشت,کازرون,جهرم,فسا,لارستان:لار,داراب
111|خوزستان|اهواز,دزفول,آبادان,خرمشهر,بهبهان,شوشتر,ماهشهر:بندر ماهشهر
112|چهارمحال وبختیاری|شهرکرد,بروجن,لردگان,فارسان
113|آذربایجان غربی|ارومیه,خوی,مهاباد,میاندوآب,بوکان,سلماس
114|قم|قم
115|اردبیل|اردبیل,مشگین‌شهر,پارس‌آباد,خلخال,گرمی
116|مرکزی|اراک,ساوه,خمین,محلات,دلیجان
117|خراسان رضوی|مشهد,نیشابور,سبزوار,تربت حیدریه,قوچان,کاشمر
118|ایلام|ایلام,دهلران,مهران,دره‌شهر,آبدانان
119|خراسان جنوبی|بیرجند=147,نامشخص=246:,طبس=884,قائنات=901:قائن,بشرویه=990,خوسف=1026
,درمیان=1031:اسدیه,زیرکوه=1053:حاجی‌آباد,سرایان=1056,سربیشه=1058,فردوس=1080,نهبندان=1110
"""


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    name: str
    parent_id: int | None
    """A county's province, a city's county (None for a province)."""


def _build() -> tuple[dict[int, Place], dict[int, Place], dict[int, Place]]:
    provinces: dict[int, Place] = {}
    counties: dict[int, Place] = {}
    cities: dict[int, Place] = {}
    rows = [line.split("|") for line in TABLE.strip().replace("\n,", ",").splitlines()]
    fixed = {
        int(c.split("=")[1].split(":")[0]) for *_, cs in rows for c in cs.split(",") if "=" in c
    }
    next_county, next_city = FIRST_COUNTY_ID, 1
    for province_id, province_name, county_list in rows:
        province = Place(int(province_id), province_name, None)
        provinces[province.id] = province
        for entry in county_list.split(","):
            head, _, seat = entry.partition(":")
            name, _, explicit = head.partition("=")
            if explicit:
                county_id = int(explicit)
            else:
                while next_county in fixed:
                    next_county += 1
                county_id, next_county = next_county, next_county + 1
            counties[county_id] = Place(county_id, name, province.id)
            if ":" in entry and not seat:
                continue  # a county without a seat (IPPanel's "unknown")
            city_id = CITY_IDS.get(county_id)
            if city_id is None:
                while next_city in CITY_IDS.values():
                    next_city += 1
                city_id, next_city = next_city, next_city + 1
            cities[city_id] = Place(city_id, seat or name, county_id)
    return provinces, counties, cities


PROVINCES, COUNTIES, CITIES = _build()


def counties_of(province_id: int) -> list[Place]:
    return [c for c in COUNTIES.values() if c.parent_id == province_id]


def cities_of(county_id: int) -> list[Place]:
    return [c for c in CITIES.values() if c.parent_id == county_id]


def area_key(province_id: int | None, county_id: int | None, city_id: int | None) -> str | None:
    """The audience an area names (its finest level), or None when the levels do not nest
    (a county outside the province, a city outside the county): nobody lives there."""
    city = CITIES.get(city_id) if city_id is not None else None
    county = COUNTIES.get(county_id) if county_id is not None else None
    if (city_id is not None and city is None) or (county_id is not None and county is None):
        return None
    if province_id is not None and province_id not in PROVINCES:
        return None
    if city is not None:
        if county is not None and city.parent_id != county.id:
            return None
        county = COUNTIES[city.parent_id or 0]
    if county is not None and province_id is not None and county.parent_id != province_id:
        return None
    if city is not None:
        return f"city:{city.id}"
    if county is not None:
        return f"county:{county.id}"
    return f"province:{province_id}" if province_id is not None else "country"
