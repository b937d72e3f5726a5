"""simple-salesforce, unmodified, logs in every way it can: SOAP, OAuth grants, a token given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed, SalesforceExpiredSession

from fake_salesforce.fixture import API_VERSION
from tests.contract.conftest import Target


def _rsa_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def test_soap_login_with_password_and_security_token_opens_a_session(target: Target) -> None:
    sf = target.login()
    assert sf.session_id
    assert sf.Contact.create({"LastName": "Soap"})["success"] is True


def test_soap_login_answers_the_served_instance_url(target: Target) -> None:
    sf = target.login()
    expected = target.base_url.split("://", 1)[1]
    assert sf.sf_instance == expected


def test_wrong_password_is_a_soap_invalid_login_fault(target: Target) -> None:
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        target.login(password="wrong")
    assert failure.value.code == "INVALID_LOGIN"
    assert "Invalid username, password, security token" in failure.value.auth_message


def test_soap_fault_is_http_500_with_prefixed_exception_code(target: Target) -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8" ?><env:Envelope '
        'xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>'
        '<n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>nobody@example.com'
        "</n1:username><n1:password>x</n1:password></n1:login></env:Body></env:Envelope>"
    )
    answer = target.raw(
        "POST",
        f"/services/Soap/u/{API_VERSION}",
        token=None,
        data=body,
        headers={"content-type": "text/xml", "SOAPAction": "login"},
    )
    assert answer.status_code == 500
    assert "<sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>" in answer.text
    assert "<faultcode>sf:INVALID_LOGIN</faultcode>" in answer.text


def test_oauth_password_grant_logs_in_with_the_connected_app(target: Target) -> None:
    creds = target.org.credentials
    sf = Salesforce(
        username=creds.username,
        password=creds.password + creds.security_token,
        consumer_key=creds.consumer_key,
        consumer_secret=creds.consumer_secret,
        domain=target.domain,
        session=target.session(),
    )
    assert sf.Contact.create({"LastName": "OAuth"})["success"] is True


def test_oauth_wrong_password_is_invalid_grant(target: Target) -> None:
    creds = target.org.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        Salesforce(
            username=creds.username,
            password="nope",
            consumer_key=creds.consumer_key,
            consumer_secret=creds.consumer_secret,
            domain=target.domain,
            session=target.session(),
        )
    assert failure.value.code == "invalid_grant"


def test_oauth_wrong_password_is_http_400_json(target: Target) -> None:
    creds = target.org.credentials
    answer = target.raw(
        "POST",
        "/services/oauth2/token",
        token=None,
        data={
            "grant_type": "password",
            "client_id": creds.consumer_key,
            "client_secret": creds.consumer_secret,
            "username": creds.username,
            "password": "nope",
        },
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "authentication failure",
    }


def test_client_credentials_grant_logs_in(target: Target) -> None:
    creds = target.org.credentials
    sf = Salesforce(
        consumer_key=creds.consumer_key,
        consumer_secret=creds.consumer_secret,
        domain=target.domain,
        session=target.session(),
    )
    assert sf.Lead.create({"LastName": "Cc", "Company": "Acme"})["success"] is True


def test_jwt_bearer_grant_signed_with_the_registered_key_logs_in(target: Target) -> None:
    private, public = _rsa_pair()
    target.org.credentials.jwt_public_key = public
    creds = target.org.credentials
    sf = Salesforce(
        username=creds.username,
        consumer_key=creds.consumer_key,
        privatekey=private,
        domain=target.domain,
        session=target.session(),
    )
    assert sf.Contact.create({"LastName": "Jwt"})["success"] is True


def test_jwt_signed_with_another_key_is_refused(target: Target) -> None:
    _, public = _rsa_pair()
    other_private, _ = _rsa_pair()
    target.org.credentials.jwt_public_key = public
    creds = target.org.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        Salesforce(
            username=creds.username,
            consumer_key=creds.consumer_key,
            privatekey=other_private,
            domain=target.domain,
            session=target.session(),
        )
    assert failure.value.code == "invalid_grant"


def test_refresh_token_grant_issues_a_working_access_token(target: Target) -> None:
    creds = target.org.credentials
    form = {
        "grant_type": "password",
        "client_id": creds.consumer_key,
        "client_secret": creds.consumer_secret,
        "username": creds.username,
        "password": creds.password + creds.security_token,
        "scope": "api refresh_token",
    }
    first = target.raw("POST", "/services/oauth2/token", token=None, data=form).json()
    refreshed = target.raw(
        "POST",
        "/services/oauth2/token",
        token=None,
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": creds.consumer_key,
            "client_secret": creds.consumer_secret,
        },
    ).json()
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["id"].endswith(f"/{target.org.org_id}/{target.org.user_id}")
    assert target.direct(refreshed["access_token"]).Contact.create({"LastName": "R"})["success"]


def test_unknown_refresh_token_is_invalid_grant(target: Target) -> None:
    answer = target.raw(
        "POST",
        "/services/oauth2/token",
        token=None,
        data={"grant_type": "refresh_token", "refresh_token": "5Aep-unknown"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_token_given_directly_reaches_the_org(target: Target) -> None:
    sf = target.direct()
    assert sf.Contact.create({"LastName": "Direct"})["success"] is True


def test_unknown_token_is_invalid_session_id(target: Target) -> None:
    sf = target.direct("00Dbogus!AQnotatoken")
    with pytest.raises(SalesforceExpiredSession) as failure:
        sf.Contact.create({"LastName": "Nobody"})
    assert failure.value.content[0]["errorCode"] == "INVALID_SESSION_ID"


@pytest.mark.parametrize(
    "path",
    [
        "/sobjects",
        "/sobjects/Contact/",
        "/sobjects/Contact/describe",
        "/sobjects/Contact/0031a0000000001AAA",
        "/",
    ],
)
def test_missing_token_gets_401_invalid_session_id_array(target: Target, path: str) -> None:
    answer = target.raw("GET", f"/services/data/v{API_VERSION}{path}", token=None)
    assert answer.status_code == 401
    assert answer.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert answer.headers["Content-Type"].startswith("application/json")


def test_token_expires_after_the_session_lifetime_on_the_org_clock(
    make_target: Callable[..., Target],
) -> None:
    target = make_target("http", session_seconds=600)
    sf = target.direct()
    sf.Contact.create({"LastName": "Before"})
    target.org.clock.advance(timedelta(seconds=601))
    with pytest.raises(SalesforceExpiredSession):
        sf.Contact.create({"LastName": "After"})


def test_logged_in_client_logs_in_again_when_its_session_expires(target: Target) -> None:
    sf = target.login()
    first = sf.session_id
    target.org.clock.advance(timedelta(seconds=target.org.settings.session_seconds + 1))
    assert sf.describe()["sobjects"]
    assert sf.session_id != first


def test_revoked_token_is_refused(target: Target) -> None:
    token = target.fake.token()
    assert target.raw("POST", "/services/oauth2/revoke", token=None, data={"token": token}).ok
    with pytest.raises(SalesforceExpiredSession):
        target.direct(token).Contact.create({"LastName": "Gone"})


def test_jwt_claims_are_what_simple_salesforce_sends(target: Target) -> None:
    """Guards the fake's JWT parsing against the client's real claim shapes (exp is a string)."""
    private, public = _rsa_pair()
    target.org.credentials.jwt_public_key = public
    creds = target.org.credentials
    assertion = jwt.encode(
        {"iss": creds.consumer_key, "sub": creds.username, "aud": "x", "exp": "9999999999"},
        private,
        algorithm="RS256",
    )
    answer = target.raw(
        "POST",
        "/services/oauth2/token",
        token=None,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
    )
    assert answer.status_code == 200
    assert answer.json()["instance_url"] == target.base_url
