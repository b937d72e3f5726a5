"""The org console at /_fake/ui/: loopback only, CSRF on every form, edits validated as the API
validates them, the opt-out fields' history naming who changed them, and the journal's bodies."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.schema import MARKETO_SALES_INSIGHT, MSO_FIELD

UI = "/_fake/ui"


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(packages={MARKETO_SALES_INSIGHT})


def _contact(fake: FakeSalesforce, **extra: Any) -> str:
    values = {"FirstName": "Jane", "LastName": "Doe", "Email": "jane@example.com", **extra}
    return fake.org.create("Contact", values)


def _csrf(client: Any, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _record_url(fake: FakeSalesforce, record_id: str) -> str:
    return f"{UI}/{fake.org.org_id}/Contact/{record_id}"


def _edit_form(fake: FakeSalesforce, client: Any, record_id: str, **fields: str) -> dict[str, Any]:
    """What the browser posts from the record's edit form, with `fields` changed."""
    record = fake.org.get("Contact", record_id)
    assert record is not None
    form: dict[str, Any] = {"csrf": _csrf(client, _record_url(fake, record_id) + "?edit=1")}
    spec = fake.org.require_spec("Contact")
    editable = [f for f in spec.fields if f.updateable and not f.calculated]
    form["shown"] = [f.name for f in editable]
    for f in editable:
        value = record[f.name]
        if f.type == "boolean":
            if value:
                form[f.name] = "on"
        elif value is not None:
            form[f.name] = str(value)
    for name, value in fields.items():
        if value == "":
            form.pop(name, None)
        form[name] = value
    return form


def test_a_caller_from_another_address_gets_no_console_page(fake: FakeSalesforce) -> None:
    client = fake.app.test_client()
    refused = client.get(f"{UI}/", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert refused.status_code == 403
    assert "loopback only" in refused.get_data(as_text=True)
    assert client.get(f"{UI}/").status_code == 200


def test_the_orgs_page_lists_each_org_with_its_record_counts(fake: FakeSalesforce) -> None:
    _contact(fake)
    page = fake.app.test_client().get(f"{UI}/").get_data(as_text=True)
    assert fake.org.org_id in page and "admin@example.com" in page
    assert "marketo_sales_insight" in page


def test_records_are_searched_by_name_email_or_id_and_paged_by_25(fake: FakeSalesforce) -> None:
    for n in range(30):
        fake.org.create("Contact", {"LastName": f"Person{n:02}", "Email": f"p{n}@example.com"})
    client = fake.app.test_client()
    first = client.get(f"{UI}/{fake.org.org_id}/Contact").get_data(as_text=True)
    assert "30 items" in first and "Page 1 of 2" in first
    assert first.count('scope="row"') == 25
    second = client.get(f"{UI}/{fake.org.org_id}/Contact?page=2").get_data(as_text=True)
    assert second.count('scope="row"') == 5
    found = client.get(f"{UI}/{fake.org.org_id}/Contact?q=P17@EXAMPLE").get_data(as_text=True)
    assert "1 item " in found and "Person17" in found and "Person18" not in found


def test_the_record_page_shows_email_opt_out_and_the_package_field_with_labels(
    fake: FakeSalesforce,
) -> None:
    record_id = _contact(fake, HasOptedOutOfEmail=True)
    page = fake.app.test_client().get(_record_url(fake, record_id)).get_data(as_text=True)
    assert "Email Opt Out" in page and "Marketo Sales Opt Out" in page
    assert re.search(r'id="v-HasOptedOutOfEmail">.*?Yes', page, re.S)
    assert "jane@example.com" in page


def test_an_edit_saves_through_the_org_and_the_history_says_a_user_did_it(
    fake: FakeSalesforce,
) -> None:
    record_id = _contact(fake)
    client = fake.app.test_client()
    form = _edit_form(fake, client, record_id, HasOptedOutOfEmail="on")
    saved = client.post(_record_url(fake, record_id), data=form)
    assert saved.status_code == 303
    assert fake.org.get("Contact", record_id)["HasOptedOutOfEmail"] is True  # type: ignore[index]
    (change,) = fake.org.history.of(record_id)
    assert (change.field, change.old, change.new, change.kind) == (
        "HasOptedOutOfEmail", False, True, "user",
    )  # fmt: skip


def test_an_edit_the_api_would_refuse_is_refused_with_salesforces_error_and_changes_nothing(
    fake: FakeSalesforce,
) -> None:
    record_id = _contact(fake)
    client = fake.app.test_client()
    form = _edit_form(fake, client, record_id, HasOptedOutOfEmail="on", LastName="")
    refused = client.post(_record_url(fake, record_id), data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "REQUIRED_FIELD_MISSING" in page and 'aria-invalid="true"' in page
    record = fake.org.get("Contact", record_id)
    assert record is not None and record["HasOptedOutOfEmail"] is False
    assert record["LastName"] == "Doe" and fake.org.history.of(record_id) == []


def test_a_form_without_the_csrf_token_changes_nothing(fake: FakeSalesforce) -> None:
    record_id = _contact(fake)
    client = fake.app.test_client()
    form = _edit_form(fake, client, record_id, HasOptedOutOfEmail="on")
    form["csrf"] = "forged"
    refused = client.post(_record_url(fake, record_id), data=form)
    assert refused.status_code == 403
    assert fake.org.get("Contact", record_id)["HasOptedOutOfEmail"] is False  # type: ignore[index]


def test_the_history_tells_the_engine_a_user_and_a_test_apart(fake: FakeSalesforce) -> None:
    record_id = _contact(fake)
    fake.client().Contact.update(record_id, {"HasOptedOutOfEmail": True})  # the engine, by API
    fake.org.update("Contact", record_id, {MSO_FIELD: True})  # a test, in process
    page = fake.app.test_client().get(_record_url(fake, record_id)).get_data(as_text=True)
    kinds = [(c.field, c.kind, c.by) for c in fake.org.history.of(record_id)]
    assert kinds == [(MSO_FIELD, "test", "test"),
                     ("HasOptedOutOfEmail", "engine", "api:admin@example.com")]  # fmt: skip
    assert "admin@example.com" in page and 'class="tag engine"' in page


def test_a_rolled_back_write_leaves_no_history(fake: FakeSalesforce) -> None:
    record_id = _contact(fake)
    with pytest.raises(RuntimeError), fake.org.transaction():
        fake.org.update("Contact", record_id, {"HasOptedOutOfEmail": True})
        raise RuntimeError("allOrNone fails")
    assert fake.org.history.of(record_id) == []


def test_a_journal_entry_shows_the_request_and_response_bodies(fake: FakeSalesforce) -> None:
    record_id = _contact(fake)
    fake.client().Contact.update(record_id, {"HasOptedOutOfEmail": True})
    fake.client().Contact.get(record_id)
    client = fake.app.test_client()
    entries = fake.org.journal.entries
    patch = next(e for e in entries if e.method == "PATCH")
    get = next(e for e in entries if e.method == "GET" and "Contact" in e.path)
    patch_page = client.get(f"{UI}/{fake.org.org_id}/journal/{patch.seq}").get_data(as_text=True)
    assert "&#34;HasOptedOutOfEmail&#34;: true" in patch_page
    get_page = client.get(f"{UI}/{fake.org.org_id}/journal/{get.seq}").get_data(as_text=True)
    assert "&#34;Email&#34;: &#34;jane@example.com&#34;" in get_page


def test_the_journal_filters_by_status_class_and_path(fake: FakeSalesforce) -> None:
    record_id = _contact(fake)
    api = fake.client()
    api.Contact.update(record_id, {"HasOptedOutOfEmail": True})
    with pytest.raises(Exception):  # noqa: B017 (simple-salesforce's 404 class)
        api.Contact.get("003000000000000AAA")
    client = fake.app.test_client()
    url = f"{UI}/{fake.org.org_id}/journal"
    errors = client.get(url, query_string={"status": "4xx"}).get_data(as_text=True)
    assert "003000000000000AAA" in errors and "PATCH" not in errors
    patches = client.get(url, query_string={"path": f"*{record_id}"}).get_data(as_text=True)
    assert ">PATCH<" in patches and "003000000000000AAA" not in patches


def test_the_journal_poll_answers_only_the_rows_after_the_last_seen(fake: FakeSalesforce) -> None:
    api = fake.client()
    api.Contact.create({"LastName": "First"})
    seen = fake.org.journal.last_seq()
    api.Contact.create({"LastName": "Second"})
    answer = fake.app.test_client().get(f"{UI}/{fake.org.org_id}/journal/rows?after={seen}")
    rows = answer.get_data(as_text=True)
    assert rows.count("<tr") == 1 and f'data-seq="{seen + 1}"' in rows
    assert answer.headers["X-Last-Seq"] == str(seen + 1)


def test_the_clock_and_faults_are_set_from_the_setup_page(fake: FakeSalesforce) -> None:
    client = fake.app.test_client()
    setup = f"{UI}/{fake.org.org_id}/setup"
    before = fake.org.clock.now()
    moved = client.post(f"{setup}/clock", data={"csrf": _csrf(client, setup), "when": "+11h"})
    assert moved.status_code == 303
    assert (fake.org.clock.now() - before).total_seconds() >= 11 * 3600
    backwards = client.post(
        f"{setup}/clock", data={"csrf": _csrf(client, setup), "when": "2001-01-01T00:00:00Z"}
    )
    assert backwards.status_code == 400 and "Not changed" in backwards.get_data(as_text=True)
    form = {"csrf": _csrf(client, setup), "kind": "error", "code": "UNABLE_TO_LOCK_ROW"}
    assert client.post(f"{setup}/faults", data={**form, "count": "2"}).status_code == 303
    (rule,) = fake.org.faults.active(fake.org.clock.now())
    assert (rule.code, rule.count) == ("UNABLE_TO_LOCK_ROW", 2)
    no_code = client.post(f"{setup}/faults", data={**form, "code": ""})
    assert no_code.status_code == 400 and "needs code" in no_code.get_data(as_text=True)
    client.post(f"{setup}/faults/clear", data={"csrf": _csrf(client, setup)})
    assert fake.org.faults.active(fake.org.clock.now()) == []


def test_a_bulk_update_of_the_opt_out_is_in_the_history_as_the_engines(
    fake: FakeSalesforce,
) -> None:
    ids = [fake.org.create("Contact", {"LastName": f"P{n}"}) for n in range(300)]
    rows = [{"Id": rid, "HasOptedOutOfEmail": True} for rid in ids]
    fake.client().bulk2.Contact.update(records=rows)
    changes = [fake.org.history.of(rid) for rid in ids]
    assert all(len(c) == 1 for c in changes)
    assert {(c[0].old, c[0].new, c[0].by) for c in changes} == {
        (False, True, "api:admin@example.com")
    }
