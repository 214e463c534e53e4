"""The look-ups of the country, geolocation and job banks: areas, genders, categories, counts.

`/api/send/banks/*` serve the `country` send, `/v2/api/send/banks/*` the `geolocation` one (same
areas, the second form's parameter names), `/api/send/jobs/*` the `job` one. An id the bank does
not know is IPPanel's 422: "گزینه انتخاب شده county id صحیح نمی باشد".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ippanel_mock.http.envelope import ok
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.http.params import Param, query
from ippanel_mock.models.audiences import GENDERS, OPERATOR_IDS, PeopleFilter
from ippanel_mock.models.errors import FieldErrors, InvalidFields, collect, unknown_choice
from ippanel_mock.models.geography import CITIES, COUNTIES, PROVINCES, cities_of, counties_of
from ippanel_mock.models.jobs import MAIN_CATEGORIES, SUB_CATEGORIES, subcategories_of
from ippanel_mock.models.phones import Operator
from ippanel_mock.models.wording import label, not_allowed_message, repeated_message

V1, V2, JOBS = "/api/send/banks", "/v2/api/send/banks", "/api/send/jobs"
COUNT_MESSAGE = "count"
PREFIX = re.compile(r"[0-9]{1,6}")
INVALID = {InvalidFields: (422, "400-2")}


def id_param(name: str, ids: Any, description: str, *, required: bool = False) -> Param:
    return query(name, {"type": "integer", "enum": sorted(ids)}, description, required=required)


def year(name: str) -> Param:
    return query(name, {"type": "integer", "minimum": 1300, "maximum": 1410}, "a birth year")


PROVINCE = id_param("province_id", PROVINCES, "an id of .../provinces", required=True)
COUNTY = id_param("county_id", COUNTIES, "an id of .../counties (outside the province: none)")
CITY = id_param("city_id", CITIES, "an id of .../cities (outside the county: none)")
GENDER_IDS = [0, *GENDERS]
PREFIX_SCHEMA = {"type": "string", "pattern": "^[0-9]{1,6}$"}
MAIN = id_param("main_category_id", MAIN_CATEGORIES, "an id of /api/send/jobs/categories",
                required=True)  # fmt: skip

routes = Operations("public")


def only_declared(call: Call, params: tuple[Param, ...]) -> None:
    """Refuse query parameters the route does not know (a misspelt filter would otherwise be
    ignored and widen the answer), and one given twice (only the first would be read)."""
    known = {p.name for p in params}
    query = call.request.query
    errors: FieldErrors = {}
    for name in dict.fromkeys(query):
        if name not in known:
            collect(errors, name, not_allowed_message(name))
        elif len(query.getall(name)) > 1:
            collect(errors, name, repeated_message(name))
    if errors:
        raise InvalidFields(errors)


def place(id_: int, name: str) -> dict[str, Any]:
    return {"id": id_, "name": name}


def require(call: Call, param: Param, table: Any, *, wording: str = "انتخاب شده") -> Any:
    """The parameter's value, refused as IPPanel refuses an id it does not have."""
    value = call.query[param.name]
    if value is not None and value not in table:
        raise unknown_choice(param.name, label(param.name), wording=wording)
    return value


def prefix_of(call: Call, name: str) -> str:
    value = call.query[name]
    if value is not None and not PREFIX.fullmatch(value):
        raise InvalidFields({name: [f"قالب گزینه {label(name)} معتبر نیست"]})
    return value or ""


@routes.get(V1 + "/provinces", "Provinces of the country bank", response="bank_places",
            errors=INVALID)  # fmt: skip
@routes.get(V2 + "/provinces", "Provinces of the geolocation bank", response="bank_places",
            errors=INVALID)  # fmt: skip
async def provinces(call: Call) -> web.Response:
    only_declared(call, ())
    return ok([place(p.id, p.name) for p in PROVINCES.values()])


@routes.get(V1 + "/counties", "Counties of a province", params=(PROVINCE,),
            response="bank_places", errors=INVALID)  # fmt: skip
@routes.get(V2 + "/counties", "Counties of a province", params=(PROVINCE,),
            response="bank_places", errors=INVALID)  # fmt: skip
async def counties(call: Call) -> web.Response:
    only_declared(call, (PROVINCE,))
    province_id = require(call, PROVINCE, PROVINCES)
    return ok([place(c.id, c.name) for c in counties_of(province_id)])


CITIES_OF = (id_param("county_id", COUNTIES, "an id of .../counties", required=True),)


@routes.get(V1 + "/cities", "Cities of a county", params=CITIES_OF, response="bank_places",
            errors=INVALID)  # fmt: skip
@routes.get(V2 + "/cities", "Cities of a county", params=CITIES_OF, response="bank_places",
            errors=INVALID)  # fmt: skip
async def cities(call: Call) -> web.Response:
    only_declared(call, CITIES_OF)
    county_id = require(call, CITIES_OF[0], COUNTIES)
    return ok([place(c.id, c.name) for c in cities_of(county_id)])


@routes.get(V1 + "/genders", "Genders of the country bank", response="bank_genders",
            errors=INVALID)  # fmt: skip
async def genders(call: Call) -> web.Response:
    only_declared(call, ())
    return ok([place(i, name) for i, name in GENDERS.items()])


def count_answer(found: Mapping[Operator, int]) -> web.Response:
    return ok({f"{op}_count": count for op, count in found.items()}, message=COUNT_MESSAGE)


def area_counts(call: Call, params: tuple[Param, ...]) -> web.Response:
    """Counts of either form: birth years, area, gender and prefix, by each form's names."""
    only_declared(call, params)
    born_from, born_to, province, county, city, gender, prefix = params
    q = call.query
    flt = PeopleFilter(
        require(call, gender, GENDER_IDS) or 0, q[born_from.name] or 1300,
        q[born_to.name] or 1410, prefix_of(call, prefix.name),
    )  # fmt: skip
    found = call.backend.area_counts(
        require(call, province, PROVINCES), require(call, county, COUNTIES),
        require(call, city, CITIES), flt,
    )  # fmt: skip
    return count_answer(found)


V1_COUNTS = (
    year("birth_year_from"), year("birth_year_to"), PROVINCE, COUNTY, CITY,
    id_param("gender_id", GENDER_IDS, "1 men, 2 women, 3 organisations (0: everyone)"),
    query("number_prefix", PREFIX_SCHEMA, "leading digits of the national number, e.g. 912"),
)  # fmt: skip
V2_COUNTS = (
    year("from_age"), year("to_age"), PROVINCE, COUNTY, CITY,
    id_param("gender", GENDER_IDS, "1 men, 2 women, 3 organisations (0: everyone)"),
    query("pre", PREFIX_SCHEMA, "leading digits of the national number, e.g. 912"),
)  # fmt: skip


@routes.get(V1 + "/counts", "How many people of an area the filters keep, per operator",
            params=V1_COUNTS, response="bank_counts", errors=INVALID)  # fmt: skip
async def counts_v1(call: Call) -> web.Response:
    return area_counts(call, V1_COUNTS)


@routes.get(V2 + "/counts", "How many people of an area the filters keep, per operator",
            params=V2_COUNTS, response="bank_counts", errors=INVALID)  # fmt: skip
async def counts_v2(call: Call) -> web.Response:
    return area_counts(call, V2_COUNTS)


@routes.get(JOBS + "/categories", "Main job categories", response="bank_places",
            errors=INVALID)  # fmt: skip
async def job_categories(call: Call) -> web.Response:
    only_declared(call, ())
    return ok([place(i, name) for i, name in MAIN_CATEGORIES.items()])


@routes.get(JOBS + "/sub-categories", "Sub-categories of a main job category", params=(MAIN,),
            response="job_subcategories", errors=INVALID)  # fmt: skip
async def job_subcategories(call: Call) -> web.Response:
    only_declared(call, (MAIN,))
    main_id = require(call, MAIN, MAIN_CATEGORIES)
    main_name = MAIN_CATEGORIES[main_id]
    return ok([
        {"id": sub_id, "name": name, "main_id": str(main_id), "main_name": main_name}
        for sub_id, name in subcategories_of(main_id)
    ])  # fmt: skip


WINDOW = {"type": "integer", "minimum": 0, "maximum": 1_000_000_000}
JOB_COUNTS = (
    MAIN,
    id_param("sub_category_id", SUB_CATEGORIES, "an id of .../sub-categories (under another "
             "main category: none)"),
    id_param("operator_id", OPERATOR_IDS, "1 MCI, 2 Irancell, 13 others (absent: all)"),
    query("start", WINDOW, "the first person a send would take (default 0)"),
    query("size", WINDOW, "how many a send would take (default: all from start)"),
)  # fmt: skip


@routes.get(JOBS + "/number-count", "How many people a job send would reach, per operator",
            params=JOB_COUNTS, response="bank_counts", errors=INVALID)  # fmt: skip
async def job_counts(call: Call) -> web.Response:
    only_declared(call, JOB_COUNTS)
    q = call.query
    main_id = require(call, MAIN, MAIN_CATEGORIES, wording="انتخابی")
    sub_id = require(call, JOB_COUNTS[1], SUB_CATEGORIES, wording="انتخابی")
    operator_id = require(call, JOB_COUNTS[2], OPERATOR_IDS, wording="انتخابی")
    return count_answer(
        call.backend.job_counts(main_id, sub_id, operator_id, q["start"] or 0, q["size"])
    )
