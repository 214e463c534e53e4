"""The country, geolocation and job banks over HTTP: their look-ups as documented, and sends
whose audiences are the same seeded people the counts describe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from ippanel_mock import SandboxConfig
from ippanel_mock.models.phones import operator_of

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory

EXAMPLES = Path(__file__).parents[2] / "fixtures" / "spec_examples"
EVERYONE = {"start": 0, "size": 1_000_000}
NOBODY = {"start": 0, "size": 0}


def documented(stem: str) -> Any:
    return json.loads((EXAMPLES / f"{stem}.json").read_text("utf-8"))["body"]["data"]


async def get(api: Api, route: str, path: str, expect: int = 200, **params: Any) -> Any:
    query = {k: str(v) for k, v in params.items()}
    _, body = await api.call(route, "GET", path, params=query, expect=expect)
    return body


@pytest.mark.parametrize(
    ("path", "stem"),
    [
        ("/api/send/banks/provinces", "bank_places__get_provinces__success"),
        ("/v2/api/send/banks/provinces", "bank_places__get_provinces__success_2"),
        ("/api/send/jobs/categories", "bank_places__get_jobs_categories__success"),
    ],
)
async def test_lists_are_the_documented_ones(api: Api, path: str, stem: str) -> None:
    assert (await get(api, "bank_places", path))["data"] == documented(stem)


async def test_counties_and_cities_carry_the_documented_ids(api: Api) -> None:
    for prefix in ("/api/send/banks", "/v2/api/send/banks"):
        counties = await get(api, "bank_places", prefix + "/counties", province_id=119)
        assert counties["data"] == documented("bank_places__get_counties__success")
        cities = await get(api, "bank_places", prefix + "/cities", county_id=147)
        assert cities["data"] == documented("bank_places__get_cities__success")
    tehran = await get(api, "bank_places", "/api/send/banks/counties", province_id=89)
    assert {"id": 212, "name": "تهران"} in tehran["data"]  # the ids of the documented send
    assert (await get(api, "bank_places", "/api/send/banks/cities", county_id=212))["data"] == [
        {"id": 82, "name": "تهران"}
    ]


async def test_genders_and_sub_categories_as_documented(api: Api) -> None:
    genders = await get(api, "bank_genders", "/api/send/banks/genders")
    assert genders["data"] == documented("bank_genders__get_genders__success")
    subs = await get(api, "job_subcategories", "/api/send/jobs/sub-categories", main_category_id=1)
    assert all(item in subs["data"] for item in documented(
        "job_subcategories__get_jobs_categories__success"))  # fmt: skip
    assert {s["main_id"] for s in subs["data"]} == {"1"}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/send/banks/counties", {}, "province_id"),
        ("/api/send/banks/cities", {"county_id": "abc"}, "county_id"),
        ("/api/send/banks/counts", {"province_id": 89, "number_prefix": "9x"}, "number_prefix"),
        ("/v2/api/send/banks/counts", {"province_id": 89, "gender": 7}, "gender"),
        ("/v2/api/send/banks/counts", {"province_id": 89, "from_age": 1200}, "from_age"),
        ("/api/send/jobs/number-count", {"main_category_id": 1, "operator_id": 3}, "operator_id"),
        ("/api/send/jobs/number-count", {"main_category_id": 1, "start": -1}, "start"),
        ("/api/send/jobs/sub-categories", {}, "main_category_id"),
        ("/api/send/banks/provinces", {"provinceId": 89}, "provinceId"),
        ("/api/send/banks/counties", {"province_id": 89, "countyid": 212}, "countyid"),
        (
            "/api/send/jobs/number-count",
            [("main_category_id", 6), ("start", ""), ("start", "true")],
            "start",
        ),
    ],
)
async def test_bad_look_up_parameters_are_a_persian_422_naming_them(
    api: Api, path: str, params: dict[str, Any] | list[tuple[str, Any]], field: str
) -> None:
    pairs = params.items() if isinstance(params, dict) else params
    query = [(name, str(value)) for name, value in pairs]
    _, body = await api.call("bank_counts", "GET", path, params=query, expect=422)
    assert body["meta"]["message_code"] == "400-2"
    assert list(body["meta"]["errors"]) == [field]
    assert body["meta"]["message"] == body["meta"]["errors"][field][0]


def country(*targets: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"sending_type": "country", "from_number": "+98BANK", "message": "تست",
            "params": list(targets), **extra}  # fmt: skip


def area(province: int = 89, **fields: Any) -> dict[str, Any]:
    target = {"bank": "all", "pre": 91, "province_id": province, "gender": 0, "age_from": 1300,
              "age_to": 1410, "mci": NOBODY, "irancell": NOBODY, "other": NOBODY}  # fmt: skip
    return {**target, **fields}


async def recipients(api: Api, bulk_id: int) -> list[str]:
    body = await api.recipients(bulk_id, per_page=1000)
    assert body["meta"]["total"] <= 1000
    return [row["recipient"] for row in body["data"]]


async def test_a_country_send_draws_exactly_the_people_the_count_reports(
    make_api: AppFactory,
) -> None:
    api = await make_api(SandboxConfig(seed=5, delivery_delay=0))
    counted = await get(api, "bank_counts", "/api/send/banks/counts", province_id=89,
                        county_id=212, gender_id=2, birth_year_from=1350, birth_year_to=1380,
                        number_prefix="912")  # fmt: skip
    assert counted["meta"]["message"] == "count"
    mci = counted["data"]["mci_count"]
    assert 0 < mci < 1000
    assert counted["data"]["irancell_count"] == counted["data"]["other_count"] == 0
    target = area(county_id=212, gender=2, age_from=1350, age_to=1380, pre=912,
                  mci=EVERYONE, irancell=EVERYONE, other=EVERYONE)  # fmt: skip
    [bulk] = await api.send_ids(country(target))
    drawn = await recipients(api, bulk)
    assert len(drawn) == mci
    assert all(n.startswith("+98912") for n in drawn)


async def test_windows_slice_one_audience_per_operator(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(seed=3, delivery_delay=0))

    def blocks(mci: tuple[int, int], irancell: tuple[int, int]) -> list[dict[str, Any]]:
        return [area(pre=91, mci={"start": mci[0], "size": mci[1]}),
                area(pre=93, irancell={"start": irancell[0], "size": irancell[1]})]  # fmt: skip

    [whole] = await api.send_ids(country(*blocks((0, 20), (0, 20))))
    [part] = await api.send_ids(country(*blocks((5, 3), (2, 4)), other_recipients=["09351111111"]))
    every = await recipients(api, whole)
    assert [operator_of(n) for n in every] == ["mci"] * 20 + ["irancell"] * 20
    assert await recipients(api, part) == [*every[5:8], *every[22:26], "+989351111111"]


async def test_the_same_seed_draws_the_same_people(make_api: AppFactory) -> None:
    body = country(area(province=110, mci={"start": 0, "size": 5}))
    drawn = []
    for seed in (1, 1, 2):
        api = await make_api(SandboxConfig(seed=seed))
        drawn.append(await recipients(api, (await api.send_ids(body))[0]))
    assert drawn[0] == drawn[1] != drawn[2]


async def test_a_send_is_captured_priced_and_follows_the_lifecycle(api: Api) -> None:
    credit = api.backend.users.get("sandbox").credit  # type: ignore[union-attr]
    [bulk] = await api.send_ids(country(area(mci={"start": 0, "size": 4})))
    captured = await api.admin("admin_message_page", "GET", "/__sandbox/messages",
                               params={"bulk_id": str(bulk)}, expect=200)  # fmt: skip
    assert captured["total"] == 4
    assert {m["sending_type"] for m in captured["items"]} == {"country"}
    assert {m["message_status"] for m in captured["items"]} == {0}
    spent = credit - api.backend.users.get("sandbox").credit  # type: ignore[union-attr]
    assert spent == 4 * 1330  # one Persian part each
    api.backend.clock.advance(10)
    _, report = await api.bulk(bulk, expect=200)
    assert (report["data"]["state_id"], report["data"]["type"]) == (6, "country")


async def test_areas_that_do_not_nest_draw_nobody(api: Api) -> None:
    """A county of another province: the count says nobody, and a send of it alone is a bulk
    in state 4 (invalid recipients) that delivers nothing."""
    counted = await get(api, "bank_counts", "/api/send/banks/counts", province_id=89,
                        county_id=147)  # fmt: skip
    assert set(counted["data"].values()) == {0}
    [bulk] = await api.send_ids(country(area(county_id=147, mci=EVERYONE)))
    _, report = await api.bulk(bulk, expect=200)
    assert report["data"]["state_id"] == 4
    assert api.backend.messages.latest() is None


async def test_more_than_thirty_targets_are_refused(api: Api) -> None:
    status, body = await api.send(country(*[area()] * 31))
    assert (status, body["meta"]["message_code"]) == (422, "400-2")
    assert "params" in body["meta"]["errors"]
    assert api.backend.outbox.count() == 0


def geolocation(*targets: dict[str, Any]) -> dict[str, Any]:
    return {"sending_type": "geolocation", "from_number": "+98BANK", "message": "تست",
            "params": list(targets)}  # fmt: skip


async def test_a_geolocation_send_without_operators_reaches_everyone_counted(
    make_api: AppFactory,
) -> None:
    api = await make_api(SandboxConfig(delivery_delay=0))
    counted = await get(api, "bank_counts", "/v2/api/send/banks/counts", province_id=119,
                        county_id=147, city_id=12, gender=1, pre="91")  # fmt: skip
    target = {"province_id": 119, "county_id": 147, "city_id": 12, "gender": 1, "pre": "91"}
    [bulk] = await api.send_ids(geolocation(target))
    assert len(await recipients(api, bulk)) == sum(counted["data"].values()) > 0
    [windowed] = await api.send_ids(geolocation(
        {"province_id": 119, "operator": [{"id": 2, "start": 3, "size": 2},
                                          {"id": 1, "size": 1}]}))  # fmt: skip
    assert [operator_of(n) for n in await recipients(api, windowed)] == ["irancell"] * 2 + ["mci"]


def job(*targets: dict[str, Any]) -> dict[str, Any]:
    return {"sending_type": "job", "from_number": "+98PRO", "message": "متن پیام",
            "params": list(targets)}  # fmt: skip


async def test_job_counts_describe_the_window_a_job_send_draws(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(delivery_delay=0))
    whole = await get(api, "bank_counts", "/api/send/jobs/number-count", main_category_id=3,
                      sub_category_id=8, operator_id=2)  # fmt: skip
    irancell = whole["data"]["irancell_count"]
    assert whole["data"]["mci_count"] == whole["data"]["other_count"] == 0
    window = await get(api, "bank_counts", "/api/send/jobs/number-count", main_category_id=3,
                       sub_category_id=8, operator_id=2, start=irancell - 3, size=10)  # fmt: skip
    assert window["data"]["irancell_count"] == 3
    [bulk] = await api.send_ids(
        job(
            {
                "main_category_id": 3,
                "sub_category_id": 8,
                "operator": [{"id": 2, "start": irancell - 3, "size": 10}],
            }
        )
    )
    drawn = await recipients(api, bulk)
    assert len(drawn) == 3
    assert {operator_of(n) for n in drawn} == {"irancell"}


async def test_a_sub_category_of_another_main_category_reaches_nobody(api: Api) -> None:
    counted = await get(api, "bank_counts", "/api/send/jobs/number-count", main_category_id=1,
                        sub_category_id=8)  # fmt: skip
    assert set(counted["data"].values()) == {0}
    [bulk] = await api.send_ids(job({"main_category_id": 1, "sub_category_id": 8}))
    _, report = await api.bulk(bulk, expect=200)
    assert report["data"]["state_id"] == 4


async def test_an_unknown_id_in_a_send_names_the_field(api: Api) -> None:
    status, body = await api.send(job({"main_category_id": 9}))
    assert status == 422
    assert list(body["meta"]["errors"]) == ["params.0.main_category_id"]
    status, body = await api.send(geolocation({"province_id": 1, "county_id": 2}))
    assert status == 422
    assert set(body["meta"]["errors"]) == {"params.0.province_id", "params.0.county_id"}
    assert api.backend.outbox.count() == 0


DOCUMENTED_COUNTRY = {
    "sending_type": "country", "from_number": "+98BANK", "message": "تست",
    "params": [{"bank": "all", "pre": 938, "province_id": 89, "county_id": 212, "city_id": 82,
                "gender": 0, "age_from": 1300, "age_to": 1401, "mci": {"start": 10, "size": 100},
                "irancell": {"start": 1, "size": 2}, "other": {"start": 2, "size": 3}}],
    "other_recipients": ["+989121111111", "+989351111111"],
}  # fmt: skip
DOCUMENTED_JOB = {
    "sending_type": "job", "from_number": "+98PRO", "message": "متن پیام",
    "params": [
        {"main_category_id": 1, "sub_category_id": 1,
         "operator": [{"start": 0, "size": 3373, "id": 2}, {"start": 1, "size": 2, "id": 13}]},
        {"main_category_id": 1, "sub_category_id": 2,
         "operator": [{"start": 0, "size": 1452, "id": 2}, {"start": 1, "size": 500, "id": 13}]},
    ],
}  # fmt: skip
DOCUMENTED_GEOLOCATION = {
    "sending_type": "geolocation", "from_number": "+98BANK", "message": "تست",
    "params": [{"province_id": 1, "county_id": 2, "city_id": 5, "pre": "912", "gender": 2,
                "from_age": 1354, "to_age": 1364, "operator": [
                    {"start": 0, "size": 10, "id": 1}, {"start": 0, "size": 20, "id": 2}]}],
    "other_recipients": ["+989121111111", "+989351111111"],
}  # fmt: skip


async def test_the_documented_example_sends(api: Api) -> None:
    """The documentation's own request bodies (copied): country and job are served; the second
    country form's example names a province id its own province list does not have."""
    [country_bulk] = await api.send_ids(DOCUMENTED_COUNTRY)
    drawn = await recipients(api, country_bulk)
    assert drawn[-2:] == ["+989121111111", "+989351111111"]  # the pre 938 leaves no MCI number
    assert {operator_of(n) for n in drawn[:-2]} <= {"irancell", "other"}
    [job_bulk] = await api.send_ids(DOCUMENTED_JOB)
    _, report = await api.bulk(job_bulk, expect=200)
    assert int(report["data"]["rcpts_count"]) > 0
    status, body = await api.send(DOCUMENTED_GEOLOCATION)
    assert status == 422
    assert set(body["meta"]["errors"]) == {"params.0.province_id", "params.0.county_id"}
