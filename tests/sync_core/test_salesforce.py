"""The adapter: error classification, and the real simple-salesforce client against the fake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from freezegun import freeze_time

from fake_salesforce.fixture import FakeSalesforce
from fake_salesforce.lead_convert import convert_lead
from sync_core.errors import (
    ConfigurationError,
    ConvertedLeadError,
    PermanentError,
    ReadTooLarge,
    RecordGoneError,
    TransientError,
)
from sync_core.model import DEFAULT_PACKAGE_FIELD, RecordWrite, Settings, SObject, SyncField
from sync_core.salesforce import SalesforceAdapter, classify, classify_exception

NAMES = Settings().names()
E, M = SyncField.EMAIL_OPT_OUT, SyncField.MARKETO_SALES_OPT_OUT


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, "UNABLE_TO_LOCK_ROW", TransientError),
        (None, "UNABLE_TO_LOCK_ROW", TransientError),
        (403, "REQUEST_LIMIT_EXCEEDED", TransientError),
        (503, "SERVER_UNAVAILABLE", TransientError),
        (500, "UNKNOWN_EXCEPTION", TransientError),
        (502, "", TransientError),
        (504, "SOMETHING_NEW", TransientError),
        (401, "INVALID_SESSION_ID", TransientError),
        (400, "QUERY_TIMEOUT", TransientError),
        (400, "INVALID_FIELD", ConfigurationError),
        (None, "INVALID_FIELD_FOR_INSERT_UPDATE", ConfigurationError),
        (400, "INVALID_TYPE", ConfigurationError),
        (None, "FIELD_CUSTOM_VALIDATION_EXCEPTION", PermanentError),
        (None, "ENTITY_IS_LOCKED", PermanentError),
        (None, "INSUFFICIENT_ACCESS_OR_READONLY", PermanentError),
        (403, "INSUFFICIENT_ACCESS_OR_READONLY", PermanentError),
        (404, "ENTITY_IS_DELETED", RecordGoneError),
        (404, "NOT_FOUND", RecordGoneError),
        (None, "INVALID_CROSS_REFERENCE_KEY", RecordGoneError),
        (400, "CANNOT_UPDATE_CONVERTED_LEAD", ConvertedLeadError),
        (400, "MALFORMED_QUERY", PermanentError),
        (403, "SOMETHING_NEW", PermanentError),
    ],
)
def test_failures_are_classified_by_status_and_error_code(
    status: int | None, code: str, kind: type[Exception]
) -> None:
    error = classify(status, code, "message", "003000000000001AAA")
    assert type(error) is kind
    assert (error.code, error.status, error.record_id) == (code, status, "003000000000001AAA")


def test_a_whole_request_not_found_is_not_a_deleted_record() -> None:
    assert (
        type(classify(404, "NOT_FOUND", "The requested resource does not exist")) is PermanentError
    )


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (requests.Timeout("read timed out"), "TIMEOUT"),
        (requests.ConnectionError("connection reset"), "CONNECTION_ERROR"),
    ],
)
def test_timeouts_and_dropped_connections_are_transient(exc: Exception, code: str) -> None:
    error = classify_exception(exc)
    assert isinstance(error, TransientError) and error.code == code


def test_a_refused_login_keeps_salesforce_s_reason_not_the_client_template() -> None:
    from simple_salesforce.exceptions import SalesforceAuthenticationFailed

    reason = "Invalid username, password, security token; or user locked out."
    error = classify_exception(SalesforceAuthenticationFailed("INVALID_LOGIN", reason))
    assert isinstance(error, ConfigurationError) and error.code == "INVALID_LOGIN"
    assert reason in error.message and "Response content" not in error.message


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(packages=("marketo_sales_insight",))


@pytest.fixture
def adapter(fake: FakeSalesforce) -> Iterator[SalesforceAdapter]:
    yield SalesforceAdapter.with_password(
        fake.username,
        fake.password,
        fake.security_token,
        session=fake.session(),
        sleep=_no_sleep,
    )


def _no_sleep(seconds: float) -> None:
    raise AssertionError(f"a fake job should be complete at the first poll (asked {seconds}s)")


def _contact(fake: FakeSalesforce, **values: object) -> str:
    return fake.org.create("Contact", {"LastName": "Doe", **values})


def test_describe_shows_the_package_field_updateable(adapter: SalesforceAdapter) -> None:
    fields = adapter.describe_fields(SObject.LEAD)
    assert fields["HasOptedOutOfEmail"].updateable
    assert fields[DEFAULT_PACKAGE_FIELD].updateable


def test_both_describes_cost_one_composite_call(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    fake.org.set_field_read_only("Lead", DEFAULT_PACKAGE_FIELD)
    before = adapter.calls
    described = adapter.describe_all([SObject.CONTACT, SObject.LEAD])
    assert adapter.calls - before == 1
    assert described[SObject.CONTACT][DEFAULT_PACKAGE_FIELD].updateable
    assert not described[SObject.LEAD][DEFAULT_PACKAGE_FIELD].updateable


def test_wrong_password_is_a_configuration_error(fake: FakeSalesforce) -> None:
    with pytest.raises(ConfigurationError):
        SalesforceAdapter.with_password(
            fake.username, "wrong", fake.security_token, session=fake.session()
        )


def test_reading_opted_out_records_pages_by_2000_and_counts_calls(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    wanted = {_contact(fake, HasOptedOutOfEmail=True) for _ in range(4100)}
    _contact(fake)
    package_only = _contact(fake, **{DEFAULT_PACKAGE_FIELD: True})
    before = adapter.calls
    rows = adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES)
    assert {r.id for r in rows} == wanted and adapter.calls - before == 3
    both = adapter.read_opted_out(SObject.CONTACT, frozenset({E, M}), NAMES)
    assert {r.id for r in both} == wanted | {package_only}
    usage = adapter.api_usage()
    assert usage is not None and usage[1] == 15000 and usage[0] >= adapter.calls


def test_a_large_rest_read_switches_to_bulk_after_the_first_page(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    wanted = {_contact(fake, HasOptedOutOfEmail=True) for _ in range(2500)}
    before = adapter.calls
    rows = adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES, bulk_over=2100)
    assert {r.id for r in rows} == wanted and adapter.calls - before == 1 + 3


def test_a_read_gives_up_after_one_page_when_larger_than_asked(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    for _ in range(30):
        _contact(fake)
    before = adapter.calls
    since = datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(ReadTooLarge):
        adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES, since=since, give_up_over=20)
    assert adapter.calls - before == 1
    rows = adapter.read_opted_out(
        SObject.CONTACT, frozenset({E}), NAMES, since=since, give_up_over=40
    )
    assert len(rows) == 30


def test_reading_since_a_watermark_returns_every_modified_record() -> None:
    with freeze_time("2026-03-02T10:00:00Z") as frozen:
        fake = FakeSalesforce()
        adapter = SalesforceAdapter.with_password(
            fake.username, fake.password, fake.security_token, session=fake.session()
        )
        old = _contact(fake, HasOptedOutOfEmail=True)
        frozen.tick(timedelta(hours=2))
        unchecked = _contact(fake, HasOptedOutOfEmail=True)
        fake.org.update("Contact", unchecked, {"HasOptedOutOfEmail": False})
        since = datetime(2026, 3, 2, 11, tzinfo=UTC)
        rows = adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES, since=since)
    assert [(r.id, r.opted_out) for r in rows] == [(unchecked, frozenset())]
    assert old not in {r.id for r in rows}


def test_reading_since_a_watermark_returns_records_deleted_since_in_the_same_call() -> None:
    with freeze_time("2026-03-02T10:00:00Z") as frozen:
        fake = FakeSalesforce()
        adapter = SalesforceAdapter.with_password(
            fake.username, fake.password, fake.security_token, session=fake.session()
        )
        kept, gone, long_gone = (_contact(fake) for _ in range(3))
        fake.org.delete("Contact", long_gone)
        frozen.tick(timedelta(hours=2))
        fake.org.delete("Contact", gone)
        since = datetime(2026, 3, 2, 11, tzinfo=UTC)
        before = adapter.calls
        rows = adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES, since=since)
        assert adapter.calls - before == 1
        by_bulk = adapter.read_opted_out(
            SObject.CONTACT, frozenset({E}), NAMES, since=since, bulk=True
        )
    assert [(r.id, r.deleted) for r in rows] == [(gone, True)]
    assert [(r.id, r.deleted) for r in by_bulk] == [(gone, True)]
    assert kept not in {r.id for r in rows}


def test_reading_records_by_id_skips_deleted_ones(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    ids = [_contact(fake, HasOptedOutOfEmail=i % 2 == 0) for i in range(650)]
    fake.org.delete("Contact", ids[0])
    rows = adapter.read_records(SObject.CONTACT, ids, frozenset({E}), NAMES)
    assert len(rows) == 649 and sum(1 for r in rows if r.opted_out) == 324


def test_an_expired_session_logs_in_again_and_retries(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    _contact(fake, HasOptedOutOfEmail=True)
    fake.registry.expire_sessions(fake.org.org_id)
    rows = adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES)
    assert len(rows) == 1


def test_token_and_instance_url_login_works(fake: FakeSalesforce) -> None:
    assert fake.instance_url is not None
    adapter = SalesforceAdapter.with_token(fake.token(), fake.instance_url, session=fake.session())
    assert "HasOptedOutOfEmail" in adapter.describe_fields(SObject.CONTACT)


def test_the_adapter_speaks_the_configured_api_version(fake: FakeSalesforce) -> None:
    assert fake.instance_url is not None
    adapter = SalesforceAdapter.with_token(
        fake.token(), fake.instance_url, session=fake.session(), version="62.0"
    )
    _contact(fake, HasOptedOutOfEmail=True)
    fake.org.journal.clear()
    adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES)
    adapter.describe_fields(SObject.CONTACT)
    paths = [e.path for e in fake.org.journal.query()]
    assert paths and all(p.startswith("/services/data/v62.0/") for p in paths), paths


def test_jwt_bearer_login_with_a_key_file_works(fake: FakeSalesforce, tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_file = tmp_path / "server.key"
    key_file.write_bytes(pem)
    adapter = SalesforceAdapter.with_jwt(
        fake.username,
        fake.org.credentials.consumer_key,
        str(key_file),
        session=fake.session(),
    )
    assert "HasOptedOutOfEmail" in adapter.describe_fields(SObject.LEAD)


def test_converted_contacts_come_from_the_lead(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    lead = fake.org.create("Lead", {"LastName": "Roe", "Company": "Acme"})
    assert adapter.converted_contacts([lead]) == {lead: None}


def test_collection_update_writes_up_to_200_mixed_records_in_one_call(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    contacts = [_contact(fake) for _ in range(150)]
    leads = [fake.org.create("Lead", {"LastName": "Roe", "Company": "Acme"}) for _ in range(50)]
    writes = [RecordWrite(SObject.CONTACT, c, frozenset({E, M})) for c in contacts]
    writes += [RecordWrite(SObject.LEAD, lead, frozenset({E})) for lead in leads]
    before = adapter.calls
    outcomes = adapter.update(writes, NAMES)
    assert adapter.calls - before == 1 and all(o.ok for o in outcomes)
    record = fake.org.get("Contact", contacts[0])
    assert record is not None and record["HasOptedOutOfEmail"] is True
    assert record[DEFAULT_PACKAGE_FIELD] is True


def test_collection_update_reports_deleted_records_per_record(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    alive, gone = _contact(fake), _contact(fake)
    fake.org.delete("Contact", gone)
    writes = [RecordWrite(SObject.CONTACT, i, frozenset({E})) for i in (alive, gone)]
    outcomes = adapter.update(writes, NAMES)
    assert outcomes[0].ok and isinstance(outcomes[1].error, RecordGoneError)


def test_bulk_update_failures_name_their_record_so_gone_and_converted_are_told_apart(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    live, gone = _contact(fake), _contact(fake)
    fake.org.delete("Contact", gone)
    lead = fake.org.create("Lead", {"LastName": "Lee", "Company": "Acme"})
    convert_lead(fake.org, lead)
    contacts = [RecordWrite(SObject.CONTACT, c, frozenset({E})) for c in (live, gone)]
    ok, deleted = adapter.bulk_update(SObject.CONTACT, contacts, NAMES)
    assert ok.ok and isinstance(deleted.error, RecordGoneError)
    assert deleted.error.record_id == gone and deleted.error.code == "ENTITY_IS_DELETED"
    (converted,) = adapter.bulk_update(
        SObject.LEAD, [RecordWrite(SObject.LEAD, lead, frozenset({E}))], NAMES
    )
    assert isinstance(converted.error, ConvertedLeadError) and converted.error.record_id == lead


def test_bulk_query_and_bulk_update_round_trip(
    fake: FakeSalesforce, adapter: SalesforceAdapter
) -> None:
    opted = {_contact(fake, HasOptedOutOfEmail=True) for _ in range(30)}
    others = [_contact(fake) for _ in range(30)]
    before = adapter.calls
    rows = adapter.read_opted_out(SObject.CONTACT, frozenset({E}), NAMES, bulk=True)
    assert {r.id for r in rows} == opted and adapter.calls - before == 3
    writes = [RecordWrite(SObject.CONTACT, c, frozenset({E})) for c in others]
    before = adapter.calls
    outcomes = adapter.bulk_update(SObject.CONTACT, writes, NAMES)
    assert all(o.ok for o in outcomes) and adapter.calls - before == 5
    record = fake.org.get("Contact", others[0])
    assert record is not None and record["HasOptedOutOfEmail"] is True
