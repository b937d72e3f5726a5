"""Log-in details clients rely on: SOAP shapes, OAuth errors, per-org sessions, expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.dom import minidom

import pytest
from freezegun import freeze_time
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceResourceNotFound

from fake_salesforce.fixture import FakeSalesforce

SOAP_URL = "https://login.salesforce.com/services/Soap/u/59.0"
TOKEN_URL = "https://login.salesforce.com/services/oauth2/token"


def _soap_login(username: str, password: str, organization_id: str | None = None) -> str:
    scope = (
        f"<urn:LoginScopeHeader><urn:organizationId>{organization_id}</urn:organizationId>"
        "</urn:LoginScopeHeader>"
        if organization_id
        else ""
    )
    return (
        '<?xml version="1.0" encoding="utf-8" ?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:urn="urn:partner.soap.sforce.com"><soapenv:Header>'
        f"{scope}</soapenv:Header><soapenv:Body><urn:login><urn:username>{username}"
        f"</urn:username><urn:password>{password}</urn:password></urn:login></soapenv:Body>"
        "</soapenv:Envelope>"
    )


def test_soap_login_answers_what_both_clients_parse() -> None:
    fake = FakeSalesforce()
    answer = fake.session().post(
        SOAP_URL,
        data=_soap_login("admin@example.com", "passwordTOKEN"),
        headers={"content-type": "text/xml", "SOAPAction": "login"},
    )
    assert answer.status_code == 200
    dom = minidom.parseString(answer.content)

    def text(tag: str) -> str:
        return str(dom.getElementsByTagName(tag)[0].firstChild.nodeValue)  # type: ignore[union-attr]

    assert (
        text("serverUrl")
        == f"https://fake.my.salesforce.com/services/Soap/u/59.0/{fake.org.org_id[:15]}"
    )
    assert text("userId") == fake.org.user_id
    assert text("organizationId") == fake.org.org_id
    assert text("passwordExpired") == "false"
    assert fake.registry.resolve(text("sessionId")) is fake.org


def test_xml_escaped_credentials_are_decoded() -> None:
    fake = FakeSalesforce(username="a&b@example.com", password="p<w>")
    sf = fake.client()
    assert sf.session_id


def test_ip_restricted_login_with_organization_id_takes_the_bare_password() -> None:
    fake = FakeSalesforce()
    sf = Salesforce(
        username="admin@example.com",
        password="password",
        organizationId=fake.org.org_id[:15],
        session=fake.session(),
    )
    assert sf.Contact.create({"LastName": "Trusted"})["success"] is True


def test_bare_password_without_trusted_organization_is_refused() -> None:
    fake = FakeSalesforce()
    answer = fake.session().post(SOAP_URL, data=_soap_login("admin@example.com", "password"))
    assert answer.status_code == 500
    assert b"<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>" in answer.content


def test_a_token_reads_only_its_own_org() -> None:
    fake = FakeSalesforce()
    other = fake.add_org(username="other@example.com")
    mine = fake.org.create("Contact", {"LastName": "Mine"})
    theirs = fake.client(org=other)
    with pytest.raises(SalesforceResourceNotFound):
        theirs.Contact.get(mine)
    assert fake.client().Contact.get(mine)["LastName"] == "Mine"


def test_expiring_an_orgs_sessions_forces_a_new_login() -> None:
    fake = FakeSalesforce()
    token = fake.token()
    assert fake.registry.expire_sessions(fake.org.org_id) >= 1
    sf = Salesforce(instance_url=fake.instance_url, session_id=token, session=fake.session())
    with pytest.raises(SalesforceExpiredSession):
        sf.Contact.create({"LastName": "Late"})


def test_soap_logout_ends_the_session() -> None:
    fake = FakeSalesforce()
    token = fake.token()
    body = (
        '<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header>'
        '<SessionHeader xmlns="urn:partner.soap.sforce.com">'
        f"<sessionId>{token}</sessionId></SessionHeader></se:Header><se:Body>"
        '<logout xmlns="urn:partner.soap.sforce.com"/></se:Body></se:Envelope>'
    )
    assert fake.session().post(SOAP_URL, data=body).status_code == 200
    assert fake.registry.resolve(token) is None


def test_unsupported_grant_type_is_an_oauth_error() -> None:
    answer = FakeSalesforce().session().post(TOKEN_URL, data={"grant_type": "magic"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"


def test_client_credentials_with_a_wrong_secret_is_invalid_client() -> None:
    fake = FakeSalesforce()
    answer = fake.session().post(
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": fake.org.credentials.consumer_key,
            "client_secret": "nope",
        },
    )
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_client")


def test_oauth_answer_carries_the_id_url_jsforce_requires() -> None:
    fake = FakeSalesforce()
    creds = fake.org.credentials
    body = (
        fake.session()
        .post(
            TOKEN_URL,
            data={
                "grant_type": "password",
                "client_id": creds.consumer_key,
                "client_secret": creds.consumer_secret,
                "username": creds.username,
                "password": creds.password + creds.security_token,
            },
        )
        .json()
    )
    assert body["id"] == f"https://fake.my.salesforce.com/id/{fake.org.org_id}/{fake.org.user_id}"
    assert body["instance_url"] == "https://fake.my.salesforce.com"
    assert body["token_type"] == "Bearer" and body["issued_at"].isdigit()


def test_identity_url_answers_for_its_token() -> None:
    fake = FakeSalesforce()
    token = fake.token()
    answer = fake.session().get(
        f"https://fake.my.salesforce.com/id/{fake.org.org_id}/{fake.org.user_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.json()["user_id"] == fake.org.user_id
    photos = answer.json()["photos"]  # CumulusCI and the CLI read the user's picture URLs
    assert photos["picture"].endswith("/F") and photos["thumbnail"].endswith("/T")


def test_tokens_expire_on_the_org_clock_that_freezegun_moves() -> None:
    with freeze_time(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) as frozen:
        fake = FakeSalesforce(session_seconds=3600)
        token = fake.token()
        frozen.tick(timedelta(minutes=59))
        assert fake.registry.resolve(token) is fake.org
        frozen.tick(timedelta(minutes=1))
        assert fake.registry.resolve(token) is None
        sf = Salesforce(instance_url=fake.instance_url, session_id=token, session=fake.session())
        with pytest.raises(SalesforceExpiredSession) as failure:
            sf.Contact.create({"LastName": "Late"})
        assert failure.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
