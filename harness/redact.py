"""Keep secrets out of everything the harness writes or prints.

Secrets reach the harness three ways, and each has its rule:

* an ``-M`` argument whose *name* looks sensitive (``api_key``, ``bearer``, ``pwd``,
  ``cookie``, ``headers``, ...): its value is written as ``***``;
* a URL with credentials, ``http://user:pass@host/…``: the user information is written as
  ``***@``;
* a URL's query parameter whose name looks sensitive (``?api_key=…``, ``&sig=…``): its value
  is written as ``***``.

:func:`scrub` applies the URL rules to any text (an error message, a note), so a server's
address can be named without leaking what it carries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

REDACTED = "***"

#: Names of arguments and query parameters whose values are never written anywhere.
#: Deliberately broad: a false alarm costs a ``***`` in a record, a miss costs a secret.
SECRET_NAME = re.compile(
    r"(key|token(?!s$)|secret|passw|passwd|pwd|pass$|auth|credential|bearer|cookie|session|header|"
    r"signature|sig$|private|cert|jwt|otp|salt|nonce)",
    re.IGNORECASE,
)
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#@\s]*)@")
_QUERY_PARAM = re.compile(r"(?P<sep>[?&;])(?P<name>[^=&#\s;]+)=(?P<value>[^&#\s;]*)")


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def scrub(text: str) -> str:
    """``text`` with credentials in URLs and sensitive query values replaced by ``***``."""
    if "://" not in text and "=" not in text:
        return text
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)

    def query(m: re.Match[str]) -> str:
        value = REDACTED if is_secret_name(m["name"]) else m["value"]
        return f"{m['sep']}{m['name']}={value}"

    return _QUERY_PARAM.sub(query, text) if "?" in text else text


def redact_args(args: Mapping[str, str]) -> dict[str, str]:
    """``-M`` arguments fit to write down: secret-looking names hidden, URLs scrubbed."""
    return {k: (REDACTED if is_secret_name(k) else scrub(v)) for k, v in args.items()}
