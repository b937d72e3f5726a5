"""Log-in as the clients do it: SOAP partner login, the OAuth2 token endpoint, revoke, identity.

Wrong credentials get Salesforce's answers: a SOAP fault `sf:INVALID_LOGIN` with HTTP 500, and
OAuth `invalid_grant` with HTTP 400 (docs/salesforce-wire.md 1.2, 1.3).
"""

from __future__ import annotations

import base64
import time
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import jwt
from flask import Blueprint, Response, current_app, request

from fake_salesforce import soap_partner
from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.registry import Registry, Session
from fake_salesforce.routes.context import json_response

bp = Blueprint("auth", __name__)

LOGIN_FAULT = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:sf="urn:fault.partner.soap.sforce.com" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
    "<faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail>"
    '<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode>'
    "<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail>"
    "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
)
BAD_LOGIN = "Invalid username, password, security token; or user locked out."
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def _registry() -> Registry:
    registry: Registry = current_app.config["REGISTRY"]
    return registry


def instance_url() -> str:
    configured: str | None = current_app.config.get("INSTANCE_URL")
    return (configured or request.host_url).rstrip("/")


def _soap(body: str, status: int = 200) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=utf-8")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _soap_fields(raw: bytes) -> dict[str, str]:
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        return {}
    return {_local(el.tag): (el.text or "") for el in root.iter()}


# The `<prefix>` forms serve simple-salesforce's `domain='127.0.0.1:PORT/sf'` trick, whose login
# URL is `https://127.0.0.1:PORT/sf.salesforce.com/services/...` (docs/salesforce-wire.md 1.5,
# way 3).
@bp.post("/services/Soap/u/<version>")
@bp.post("/services/Soap/u/<version>/<path:org_hint>")
@bp.post("/<path:prefix>/services/Soap/u/<version>")
def soap(version: str, org_hint: str = "", prefix: str = "") -> Response:
    fields = _soap_fields(request.get_data())
    if "logout" in fields:
        _registry().revoke(fields.get("sessionId", ""))
        return _soap(
            '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv='
            '"http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.'
            'sforce.com"><soapenv:Body><logoutResponse/></soapenv:Body>'
            "</soapenv:Envelope>"
        )
    if "login" not in fields:
        return _partner_call(request.get_data())
    org = _registry().by_username(fields.get("username", ""))
    password = fields.get("password", "")
    if org is None or not _password_ok(org, password, fields.get("organizationId")):
        return _soap(LOGIN_FAULT.format(code="INVALID_LOGIN", message=BAD_LOGIN), 500)
    session = _registry().issue(org)
    return _soap(_login_response(org, session, version))


def _partner_call(raw: bytes) -> Response:
    """A partner API call other than login and logout (fake_salesforce/soap_partner.py)."""
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        fault = soap_partner.SoapFault("soapenv:Client", "Unable to parse the SOAP request")
        return _soap(fault.body(), 500)
    org = _registry().resolve(soap_partner.session_id(root))
    call = soap_partner.operation(root)
    try:
        if org is None:
            message = "Invalid Session ID found in SessionHeader: Illegal Session"
            raise soap_partner.SoapFault("sf:INVALID_SESSION_ID", message)
        if call is None:
            raise soap_partner.SoapFault("soapenv:Client", "No operation in the SOAP Body")
        return _soap(soap_partner.answer(org, call[0], call[1], instance_url()))
    except soap_partner.SoapFault as fault:
        return _soap(fault.body(), 500)


def _password_ok(org: Org, password: str, organization_id: str | None) -> bool:
    creds = org.credentials
    if password == creds.password + creds.security_token:
        return True
    # IP-restricted log-in (organizationId given, or no token set) takes the bare password.
    trusted = not creds.security_token or (organization_id or "")[:15] == org.org_id[:15]
    return trusted and password == creds.password


def _login_response(org: Org, session: Session, version: str) -> str:
    base = instance_url()
    user = escape(org.credentials.username)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse>'
        f"<result><metadataServerUrl>{base}/services/Soap/m/{version}/{org.org_id[:15]}"
        "</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{base}/services/Soap/u/{version}/{org.org_id[:15]}</serverUrl>"
        f"<sessionId>{session.token}</sessionId><userId>{org.user_id}</userId><userInfo>"
        f"<organizationId>{org.org_id}</organizationId>"
        f"<organizationName>{escape(org.settings.name)}</organizationName>"
        f"<userEmail>{user}</userEmail><userFullName>Integration User</userFullName>"
        f"<userId>{org.user_id}</userId><userName>{user}</userName>"
        f"<userTimeZone>{org.timezone}</userTimeZone></userInfo></result>"
        "</loginResponse></soapenv:Body></soapenv:Envelope>"
    )


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@bp.post("/services/oauth2/token")
@bp.post("/<path:prefix>/services/oauth2/token")
def token(prefix: str = "") -> Response:
    form = request.form
    grant = form.get("grant_type", "")
    handlers = {
        "password": _password_grant,
        "client_credentials": _client_credentials_grant,
        "refresh_token": _refresh_grant,
        JWT_BEARER: _jwt_grant,
    }
    handler = handlers.get(grant)
    try:
        if handler is None:
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        org, with_refresh = handler(form)
    except OAuthError as exc:
        return json_response({"error": exc.error, "error_description": exc.description}, exc.status)
    session = _registry().issue(org, with_refresh=with_refresh)
    return json_response(_token_body(org, session))


def _token_body(org: Org, session: Session) -> dict[str, Any]:
    base = instance_url()
    body: dict[str, Any] = {
        "access_token": session.token,
        "instance_url": base,
        "id": f"{base}/id/{org.org_id}/{org.user_id}",
        "token_type": "Bearer",
        "issued_at": str(int(session.issued_at.timestamp() * 1000)),
        "signature": base64.b64encode(session.token[-32:].encode()).decode(),
        "scope": "api refresh_token" if session.refresh_token else "api",
    }
    if session.refresh_token:
        body["refresh_token"] = session.refresh_token
    return body


def _client(form: Any) -> Org:
    key, secret = form.get("client_id", ""), form.get("client_secret", "")
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            raise OAuthError("invalid_client", "invalid client credentials") from None
    org = _registry().by_consumer_key(key)
    if org is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if secret != org.credentials.consumer_secret:
        raise OAuthError("invalid_client", "invalid client credentials")
    return org


def _password_grant(form: Any) -> tuple[Org, bool]:
    org = _client(form)
    user = _registry().by_username(form.get("username", ""))
    if user is not org or not _password_ok(org, form.get("password", ""), None):
        raise OAuthError("invalid_grant", "authentication failure")
    return org, "refresh_token" in form.get("scope", "") or "offline" in form.get("scope", "")


def _client_credentials_grant(form: Any) -> tuple[Org, bool]:
    return _client(form), False


def _refresh_grant(form: Any) -> tuple[Org, bool]:
    org = _registry().org_for_refresh(form.get("refresh_token", ""))
    if org is None:
        raise OAuthError("invalid_grant", "expired access/refresh token")
    return org, False


def _jwt_grant(form: Any) -> tuple[Org, bool]:
    assertion = form.get("assertion", "")
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    org = _registry().by_username(str(claims.get("sub", "")))
    if org is None or claims.get("iss") != org.credentials.consumer_key:
        raise OAuthError(
            "invalid_grant", "invalid assertion" if org else "user hasn't approved this consumer"
        )
    key = org.credentials.jwt_public_key
    if key is not None:
        try:
            jwt.decode(
                assertion,
                key,
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_aud": False},
            )
        except jwt.PyJWTError:
            raise OAuthError("invalid_grant", "invalid assertion") from None
    try:
        expires = float(claims.get("exp", 0))
    except (TypeError, ValueError):
        expires = 0
    if expires < org.clock.now().timestamp() or expires < time.time() - 86400 * 365 * 50:
        raise OAuthError("invalid_grant", "expired authorization code")
    return org, False


@bp.post("/services/oauth2/revoke")
def revoke() -> Response:
    token = request.form.get("token") or request.args.get("token", "")
    if not _registry().revoke(token):
        return json_response(
            {
                "error": "unsupported_token_type",
                "error_description": "this token type is not supported",
            },
            400,
        )
    return Response(b"", status=200)


@bp.get("/id/<org_id>/<user_id>")
@bp.get("/services/oauth2/userinfo", defaults={"org_id": "", "user_id": ""})
def identity(org_id: str, user_id: str) -> Response:
    header = request.headers.get("Authorization", "")
    token = header.partition(" ")[2].strip() or request.args.get("oauth_token", "")
    org = _registry().resolve(token)
    if org is None or (org_id and org_id[:15] != org.org_id[:15]):
        raise ApiError(403, "Bad_OAuth_Token", "Bad_OAuth_Token")
    base = instance_url()
    user = org.credentials.username
    return json_response(
        {
            "id": f"{base}/id/{org.org_id}/{org.user_id}",
            "asserted_user": True,
            "user_id": org.user_id,
            "organization_id": org.org_id,
            "username": user,
            "nick_name": user.split("@")[0],
            "display_name": "Integration User",
            "email": user,
            "active": True,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 0,
            "timezone": org.timezone,
            "photos": {
                "picture": f"{base}/profilephoto/005/F",
                "thumbnail": f"{base}/profilephoto/005/T",
            },
            "urls": {
                "rest": f"{base}/services/data/v{{version}}/",
                "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
                "query": f"{base}/services/data/v{{version}}/query/",
            },
        }
    )
