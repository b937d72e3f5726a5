"""Runs Singer's tap-salesforce, unmodified, against a fake org.

tap-salesforce logs in at the hard-coded https://login.salesforce.com (or test.salesforce.com);
this wrapper sends requests for those hosts to the URL in FAKE_SF_LOGIN_URL and then runs the
tap's own `main()` with the command-line arguments it was given. Everything after login goes
to the instance URL the fake returns.
"""

from __future__ import annotations

import os
from typing import Any

import requests

LOGIN_HOSTS = ("https://login.salesforce.com", "https://test.salesforce.com")


def _point_login_at(fake_url: str) -> None:
    send = requests.Session.request

    def request(self: requests.Session, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        for host in LOGIN_HOSTS:
            if url.startswith(host):
                url = fake_url.rstrip("/") + url[len(host) :]
        return send(self, method, url, *args, **kwargs)

    requests.Session.request = request  # type: ignore[method-assign]


if __name__ == "__main__":
    _point_login_at(os.environ["FAKE_SF_LOGIN_URL"])
    from tap_salesforce import main

    main()
