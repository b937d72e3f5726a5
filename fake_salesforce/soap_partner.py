"""SOAP partner API calls beyond login and logout: `undelete`, `describeTabs`, `getUserInfo`.

SOAP API Developer Guide: a call carries the session in `SessionHeader/sessionId` (an unknown
or expired one is the fault `sf:INVALID_SESSION_ID`). `undelete()` answers an UndeleteResult
per Id (`id`, `success`, `errors` of `message` and `statusCode`): UNDELETE_FAILED "Entity is
not in the recycle bin" for a live record, MALFORMED_ID for text that is no Id,
INVALID_CROSS_REFERENCE_KEY for an Id of nothing. `describeTabs()` answers the apps the user
can see with their tabs (here the standard Sales app with the standard object tabs of
`/tabs`), `getUserInfo()` the user's GetUserInfoResult. An operation the fake does not serve
is a `soapenv:Client` fault "No operation available for request", as Salesforce answers an
unknown operation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from fake_salesforce import ids
from fake_salesforce.errors import ApiError
from fake_salesforce.org import Org
from fake_salesforce.routes import tabs

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns="urn:partner.soap.sforce.com" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>{body}'
    "</soapenv:Body></soapenv:Envelope>"
)
FAULT = (
    "<soapenv:Fault><faultcode>{code}</faultcode><faultstring>{message}</faultstring>"
    "</soapenv:Fault>"
)


class SoapFault(Exception):
    """A fault answered with HTTP 500: `code` is the faultcode (`sf:...` or `soapenv:Client`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message

    def body(self) -> str:
        text = f"{self.code.removeprefix('sf:')}: {self.message}"
        if not self.code.startswith("sf:"):
            text = self.message
        return ENVELOPE.format(body=FAULT.format(code=self.code, message=escape(text)))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def operation(root: ElementTree.Element) -> tuple[str, ElementTree.Element] | None:
    """The call's name and element: the first child of the SOAP Body."""
    for element in root.iter():
        if _local(element.tag) == "Body":
            call = next(iter(element), None)
            return (_local(call.tag), call) if call is not None else None
    return None


def session_id(root: ElementTree.Element) -> str:
    for element in root.iter():
        if _local(element.tag) == "sessionId":
            return (element.text or "").strip()
    return ""


def answer(org: Org, name: str, call: ElementTree.Element, base: str) -> str:
    """The response envelope of one served call, or SoapFault."""
    handler = CALLS.get(name)
    if handler is None:
        raise SoapFault(
            "soapenv:Client",
            f"No operation available for request {{urn:partner.soap.sforce.com}}{name}",
        )
    result = handler(org, call, base)
    return ENVELOPE.format(body=f"<{name}Response>{result}</{name}Response>")


def _undelete(org: Org, call: ElementTree.Element, _base: str) -> str:
    wanted = [(e.text or "").strip() for e in call if _local(e.tag) == "ids"]
    return "".join(_undelete_one(org, value) for value in wanted)


def _undelete_one(org: Org, value: str) -> str:
    rid = ids.normalize(value)
    try:
        if rid is None:
            raise ApiError(400, "MALFORMED_ID", f"malformed id {value}")
        org.undelete(_object_of(org, rid), rid)
    except ApiError as exc:
        return (
            f'<result><errors><fields xsi:nil="true"/><message>{escape(exc.message)}</message>'
            f"<statusCode>{exc.error_code}</statusCode></errors>"
            f'<id xsi:nil="true"/><success>false</success></result>'
        )
    return f"<result><id>{rid}</id><success>true</success></result>"


def _object_of(org: Org, record_id: str) -> str:
    for name, table in org.tables.items():
        if record_id.startswith(table.spec.key_prefix) and record_id in table.rows:
            return name
    raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")


def _tag(name: str, value: Any) -> str:
    if value is None:
        return f'<{name} xsi:nil="true"/>'
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    if isinstance(value, list):
        return "".join(_tag(name, item) for item in value)
    if isinstance(value, dict):
        return f"<{name}>{''.join(_tag(k, v) for k, v in value.items())}</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def _describe_tabs(org: Org, _call: ElementTree.Element, base: str) -> str:
    specs = [s for name in org.tables if (s := org.object_spec(name)) is not None]
    app = {
        "label": "Sales",
        "logoUrl": f"{base}/img/seasonLogos/logo.png",
        "namespace": None,
        "selected": True,
        "tabSetId": ids.to18(f"02u{org.org_id[3:5]}0000000001"),
        "tabs": [tabs.tab_of(s, base) for s in specs if s.name in tabs.TABBED],
    }
    return _tag("result", app)


def _user_info(org: Org, _call: ElementTree.Element, _base: str) -> str:
    user = escape(org.credentials.username)
    return (
        f"<result><organizationId>{org.org_id}</organizationId>"
        f"<organizationName>{escape(org.settings.name)}</organizationName>"
        f"<userEmail>{user}</userEmail><userFullName>Integration User</userFullName>"
        f"<userId>{org.user_id}</userId><userName>{user}</userName>"
        f"<userTimeZone>{org.timezone}</userTimeZone></result>"
    )


CALLS: dict[str, Callable[[Org, ElementTree.Element, str], str]] = {
    "undelete": _undelete,
    "describeTabs": _describe_tabs,
    "getUserInfo": _user_info,
}
