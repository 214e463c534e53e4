"""Every endpoint the sandbox serves, called through both clients (blocking and asyncio, each
as its hook builds it from a connection): each succeeds with the docs' kind of request, and
each answers a wrong API key with the documented 401 ``400-1`` as ``IPPanelAuthError``; every
other documented refusal a call can meet reaches the caller with the docs' example status,
code, Persian message and field errors. The sandbox's journal says which routes were reached,
so an endpoint no client method reaches fails here by name."""

from __future__ import annotations

import inspect
import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow_support import set_connection
from client_operations import ARGUMENTS
from client_support import SANDBOX_API_KEY, SANDBOX_PASSWORD, SENDER, SandboxAdmin
from ippanel_provider.client import (
    CountryTarget,
    GeoTarget,
    IPPanelAuthError,
    IPPanelNotFoundError,
    IPPanelValidationError,
    JobTarget,
    OperatorRange,
    OperatorWindow,
    OutboxState,
    PostalCodeTarget,
)
from ippanel_provider.client.api import IPPanelApi, first_request
from ippanel_provider.hooks.ippanel import IPPanelAsyncHook, IPPanelHook

NOT_CALLED = {
    ("POST", "/api/patterns/normal"): "the docs' curl example's path of the pattern create; "
    "create_pattern uses the endpoint line's POST /api/user/pattern",
    ("GET", "/api/report/by_bulk"): "the later edition's form of the spec's POST "
    "/api/report/by_bulk/{id}, which bulk_report uses (the reference: the client may use either)",
    ("GET", "/api/send/webservice"): "the URL form of a send puts the API key in the URL, where "
    "proxies, access logs and urllib3's debug log keep it; send_sms makes the same send",
}
"""Routes no client method calls, and why: the same operation is reached at another route."""

Make = Callable[..., Awaitable[Any]]


@pytest.fixture(params=["sync", "async"])
def make(
    request: pytest.FixtureRequest, client_sandbox: SandboxAdmin, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Make]:
    """Builds clients as a task gets them: an ``ippanel`` connection to the sandbox, read by
    the hook of one transport (``IPPanelHook`` or ``IPPanelAsyncHook``)."""
    hooks: list[IPPanelHook] = []
    ids = itertools.count()

    async def build(*, password: str = SANDBOX_API_KEY, login: str | None = None) -> Any:
        conn_id = f"ippanel_every_{next(ids)}"
        fields = {"host": client_sandbox.url, "login": login, "password": password}
        set_connection(monkeypatch, conn_id, **fields, extra={"sender": SENDER})
        if request.param == "async":
            return await IPPanelAsyncHook(conn_id).get_conn()
        hooks.append(IPPanelHook(conn_id))
        return hooks[-1].get_conn()

    yield build
    for hook in hooks:
        hook.close()


async def settle(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def close(client: Any) -> None:
    await settle(client.close())


def route_patterns(admin: SandboxAdmin) -> list[tuple[str, str, re.Pattern[str]]]:
    """The public routes of the sandbox's OpenAPI document, as (method, path, matcher)."""
    document = admin.http.get(f"{admin.url}/openapi.json", timeout=10).json()
    found = []
    for path, operations in document["paths"].items():
        if path.startswith("/__sandbox") or path in ("/", "/healthz", "/openapi.json"):
            continue
        matcher = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        found += [
            (m.upper(), path, matcher) for m in operations if m in ("get", "post", "put", "delete")
        ]
    return found


def reached(admin: SandboxAdmin, statuses: range) -> set[tuple[str, str]]:
    routes = route_patterns(admin)
    return {
        (method, path)
        for entry in admin.requests()
        if entry["status"] in statuses
        for method, path, matcher in routes
        if method == entry["method"] and matcher.match(entry["path"])
    }


async def walk(make: Make, admin: SandboxAdmin, tmp_path: Path) -> None:
    """One call of every client operation that reaches an endpoint, each checked."""
    c = await make()
    s = settle
    assert await s(c.get_credit()) > 0
    assert (await s(c.check_token())).user_name == "sandbox"

    # auth: the SMS two-step login, a password reset, a token's logout
    step = await s(c.login("sandbox-sms", SANDBOX_PASSWORD))
    assert (await s(c.send_sms_otp(step.token))).method == "sms"
    final = await s(c.confirm_otp(step.token, admin.otp("sandbox-sms")))
    assert final.method == "login"
    reset = await s(c.forgot_password("sandbox", "+989120000100"))
    await s(c.change_password_by_token(reset, admin.otp("sandbox"), "changed-password-1"))
    with_token = await make(login="sandbox", password="changed-password-1")
    assert (await s(with_token.check_token())).user_name == "sandbox"
    await s(with_token.logout())
    await close(with_token)

    # sends, one of every sending type, each captured
    later = datetime.now(UTC) + timedelta(hours=2)
    two, first_two = OperatorRange(0, 2), OperatorWindow("mci", 0, 2)
    sends = [
        await s(c.send_sms(["09121234567"], "webservice", send_time=later)),
        await s(c.send_peer_to_peer([(["09121234567"], "a"), (["09351234567"], "b")])),
        await s(c.send_peer_to_peer_file([("09121234567", "from a file")])),
        await s(c.send_postal_code("postal", [PostalCodeTarget(131, mci=OperatorRange(0, 2))])),
        await s(c.send_pattern("sandbox-otp", "09121234567", {"code": "4821"})),
        await s(c.send_votp("4821", "09121234567")),
        await s(c.send_country("country", [CountryTarget(89, 912, mci=two)], sender="+98BANK")),
        await s(
            c.send_geolocation("geo", [GeoTarget(89, operators=[first_two])], sender="+98BANK")
        ),
        await s(c.send_job("job", [JobTarget(1, operators=[first_two])], sender="+98PRO")),
        await s(c.send_file(["09121234567"], "file")),
        await s(c.send_keyword([["09121234567", "Ali"]], "hi {ex_B}")),
    ]
    for result in sends:
        for bulk in result.message_outbox_ids:
            assert admin.messages(bulk_id=bulk) or bulk == sends[0].message_outbox_ids[0]
    scheduled = sends[0].message_outbox_ids[0]
    await s(c.cancel_scheduled(scheduled))
    assert (await s(c.bulk_report(scheduled))).state_id is OutboxState.CANCELED
    assert (await s(c.calculate_price("سلام", SENDER))).parts == 1

    # reports and the inbox
    bulk = sends[1].message_outbox_ids[0]
    assert bulk in [b.messages_outbox_id for b in (await s(c.outbox_report(limit=50))).items]
    assert (await s(c.bulk_stats(bulk))).counts
    assert [r.recipient for r in (await s(c.bulk_recipients(bulk))).items] == ["+989121234567"]
    assert (await s(c.messages_inbox())).items == []

    # the banks' look-ups, both country forms and jobs
    for bank in ("country", "geolocation"):
        assert any(p.id == 89 for p in await s(c.bank_provinces(bank=bank)))
        county = (await s(c.bank_counties(89, bank=bank)))[0]
        assert await s(c.bank_cities(county.id, bank=bank))
    assert [g.id for g in await s(c.bank_genders())] == [1, 2, 3]
    assert (await s(c.country_counts(89))).mci > 0
    assert (await s(c.geolocation_counts(89))).mci > 0
    assert await s(c.job_categories())
    assert await s(c.job_subcategories(1))
    assert (await s(c.job_counts(1))).mci > 0

    # the caller's own patterns
    pattern = await s(c.create_pattern("Hi %name%", description="greeting", variables=["name"]))
    assert any(p.code == pattern.code for p in (await s(c.list_patterns(per_page=50))).items)
    assert (await s(c.get_pattern(pattern.code))).code == pattern.code
    await s(c.update_pattern(pattern.code, "Hello %name%", description="d", variables=["name"]))
    await s(c.delete_pattern(pattern.code))

    # sender lines
    line = (await s(c.list_lines())).items[0]
    await s(c.unassign_line(line.number, "sandbox-ga"))
    await s(c.assign_line(line.number, "sandbox-ga", send=True, gets=False))

    # drafts
    await s(c.create_draft_group("group"))
    group = (await s(c.list_draft_groups())).items[0].id
    await s(c.rename_draft_group(group, "renamed"))
    await s(c.create_draft(group, "draft"))
    draft = (await s(c.list_drafts(group_id=group))).items[0].id
    await s(c.update_draft(draft, "changed"))
    await s(c.delete_drafts([draft]))
    await s(c.delete_draft_group(group))

    # phonebooks, their options and numbers
    option = await s(c.create_option("city"))
    assert [o.id for o in (await s(c.list_options())).items] == [option.id]
    await s(c.rename_option(option.id, "town"))
    book = await s(c.create_phonebook("customers", option_ids=[option.id]))
    assert [b.id for b in (await s(c.list_phonebooks())).items] == [book.id]
    await s(c.update_phonebook(book.id, title="clients"))
    await s(c.add_contacts(book.id, ["09121234567"]))
    await s(c.import_contacts(book.id, ["09351234567"]))
    contacts = (await s(c.list_contacts(phonebook_id=book.id))).items
    assert (await s(c.get_contact(contacts[0].id))).number == "+989121234567"
    await s(
        c.update_contact(
            contacts[0].id, {"number": "09121234567", "name": "Ali"}, phonebook_id=book.id
        )
    )
    await s(c.request_import_sample(book.id))
    assert (await s(c.list_phonebooks())).items[0].raw["export_status"] is None
    await s(c.request_contacts_export(phonebook_title="clients"))
    assert (await s(c.list_phonebooks())).items[0].raw["export_status"] == 0  # IPPanel's, done
    await s(c.request_phonebook_export(book.id))
    assert await s(c.export_phonebook(book.id, tmp_path / "book.csv")) == 2
    assert len((await s(c.send_phonebook("to the book", [book.id]))).message_outbox_ids) == 1
    assert await s(c.send_keyword_phonebook(f"hi {{ex_{option.id}}}", [book.id]))
    await s(c.delete_contacts([contacts[1].id]))
    await s(c.delete_options([option.id]))
    await s(c.delete_phonebooks([book.id]))
    await close(c)


async def test_every_endpoint_answers_through_the_client(
    make: Make, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    await walk(make, client_sandbox, tmp_path)
    assert reached(client_sandbox, range(400, 600)) == set()
    served = {(method, path) for method, path, _ in route_patterns(client_sandbox)}
    missing = served - set(NOT_CALLED) - reached(client_sandbox, range(200, 300))
    assert not missing, f"no client call reached {sorted(missing)}"
    assert set(NOT_CALLED) <= served, "NOT_CALLED names a route the sandbox does not serve"
    called = set(NOT_CALLED) & reached(client_sandbox, range(100, 600))
    assert not called, f"NOT_CALLED, but a client call reached {sorted(called)}"


async def test_every_operation_answers_a_wrong_key_with_the_documented_401(
    make: Make, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    client = await make(password="not-a-real-key")
    other_banks = [
        ("bank_provinces", ((), {"bank": "country"})),
        ("bank_counties", ((89,), {"bank": "geolocation"})),
        ("bank_cities", ((212,), {"bank": "geolocation"})),
    ]
    for name, (args, kwargs) in [*ARGUMENTS.items(), *other_banks]:
        if name == "export_phonebook":
            args = (1, tmp_path / "never.csv")
        with pytest.raises(IPPanelAuthError) as refused:
            await settle(getattr(client, name)(*args, **kwargs))
        error = refused.value
        assert (error.http_status, error.message_code) == (401, "400-1"), name
        assert error.message == "اطلاعات وارد شده صحیح نمی باشد", name
        assert "not-a-real-key" not in str(error), name
        request = first_request(getattr(IPPanelApi, name), *args, **kwargs)
        [entry] = [e for e in client_sandbox.requests() if e["status"] == 401][:1]
        assert (entry["method"], entry["path"]) == (request.method, request.path), name
    await close(client)
    assert client_sandbox.messages() == []
    served = {(method, path) for method, path, _ in route_patterns(client_sandbox)}
    missing = served - set(NOT_CALLED) - reached(client_sandbox, range(401, 402))
    assert not missing, f"no client call got the 401 of {sorted(missing)}"


EXAMPLES = Path(__file__).parents[2] / "fixtures" / "spec_examples"
DOCUMENTED_REFUSALS: dict[str, Callable[[Any], Any]] = {
    "login__login_api__validation_error": lambda c: c.login("sandbox", ""),
    "confirm_otp__confirm_otp_login__validation_error": lambda c: c.confirm_otp("token", ""),
    "forgot_password__forgot_password__validation_error": (
        lambda c: c.forgot_password("", "+989120000100")
    ),
    "change_password_by_token__forgot_password__validation_error": (
        lambda c: c.change_password_by_token("token", "123456", "")
    ),
    "done__assign_number__invalid_request_2": lambda c: c.assign_line("+983000505", "sandbox-ga"),
    "done__unassign_number__invalid_request_2": lambda c: c.unassign_line("+983000505", "lineless"),
    "done__delete_pattern__pattern_not_found": lambda c: c.delete_pattern("zcxxc465465zxc"),
    "report_new_list__outbox_report__validation_error": (
        lambda c: c.outbox_report(filters={"state_id": 12})
    ),
    "cancel__cancel_scheduled_message__validation_error": lambda c: c.cancel_scheduled(1199999999),
    "bank_places__get_counties__invalid_request": lambda c: c.bank_counties(1),
    "bank_places__get_counties__invalid_request_2": lambda c: c.bank_counties(
        1, bank="geolocation"
    ),
    "bank_places__get_cities__invalid_request": lambda c: c.bank_cities(1),
    "bank_places__get_cities__invalid_request_2": lambda c: c.bank_cities(1, bank="geolocation"),
    "bank_counts__get_recipients_count__invalid_request": lambda c: c.country_counts(
        89, county_id=1
    ),
    "bank_counts__get_recipients_count__invalid_request_2": (
        lambda c: c.geolocation_counts(89, county_id=1)
    ),
    "bank_counts__get_recipients_count__invalid_request_3": lambda c: c.job_counts(99),
    "job_subcategories__get_jobs_categories__invalid_request": lambda c: c.job_subcategories(99),
}
"""The docs' refusals (besides the 401) a client call can meet, by the docs' example answer."""


async def test_each_documented_refusal_reaches_the_caller_as_the_docs_show_it(
    make: Make, client_sandbox: SandboxAdmin
) -> None:
    client_sandbox.http.post(
        f"{client_sandbox.url}/__sandbox/users",
        json={"username": "lineless", "mobile": "09121110000", "senders": []},
        timeout=10,
    ).raise_for_status()
    client = await make()
    for stem, call in DOCUMENTED_REFUSALS.items():
        example = json.loads((EXAMPLES / f"{stem}.json").read_text("utf-8"))
        meta = example["body"]["meta"]
        kind = IPPanelNotFoundError if example["status"] == 404 else IPPanelValidationError
        with pytest.raises(kind) as refused:
            await settle(call(client))
        error = refused.value
        assert (error.http_status, error.message_code) == (example["status"], meta["message_code"])
        assert (error.message, error.errors) == (meta["message"], meta["errors"]), stem
    await close(client)
    assert client_sandbox.messages() == []
