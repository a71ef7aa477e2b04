"""Log lines that identify a client without naming a person.

django-axes writes a line per failed login naming the client by its lock-out parameters, i.e. the user
name and the address: the user name is personal data (often name.surname) and the logs are not the place
for it. `axes_client_str` replaces both with a short keyed digest, enough to tell repeated attempts of
the same client apart in the logs; the full details stay in the axes tables, readable by an amministratore.
Enable with AXES_CLIENT_STR_CALLABLE = "osservatorio.accounts.logsafe.axes_client_str".
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def pseudonym(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:10]


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    if isinstance(path_info, (tuple, list)):
        path_info = path_info[0] if path_info else ""
    digest = pseudonym(f"{username or ''}|{ip_address or ''}")
    return f"client {digest} on {path_info or ''}"
