"""Keep secrets out of everything the harness writes or prints.

Two kinds of rule, both applied by :func:`scrub` to any text that is written or printed —
run records, cached replies, error messages, notes, model replies:

* **secrets the process knows**, by value: API keys read from the environment or given as
  arguments, the user information of server addresses, every query value of a server
  address (:func:`remember`, :func:`remember_url`, :func:`remember_environment`). A server
  that echoes the key in an error body or a reply cannot put it into a record: the value
  itself is replaced, wherever it stands.
* **secrets by shape**: the user information of any URL (``http://bob:p@ss@host`` ->
  ``http://***@host``, an ``@`` in the password included), and every query value of any URL
  (``?access_token=…&X-Amz-Signature=…`` -> ``?access_token=***&X-Amz-Signature=***``).

An ``-M`` argument whose *name* looks sensitive (``api_key``, ``bearer``, ``pwd``,
``cookie``, ``headers``, ...) is written as ``***`` (:func:`redact_args`), and its value is
remembered.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from urllib.parse import unquote

REDACTED = "***"

#: Names of arguments and query parameters whose values are never written anywhere.
#: Deliberately broad: a false alarm costs a ``***`` in a record, a miss costs a secret.
SECRET_NAME = re.compile(
    r"(key|token(?!s$)|secret|passw|passwd|pwd|pass$|auth|credential|bearer|cookie|session|header|"
    r"signature|sig$|private|cert|jwt|otp|salt|nonce)",
    re.IGNORECASE,
)
# The user information runs to the last "@" before the host: a password may hold "@".
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s\"'<>\\]*)@")
# A query value ends where the URL does: at a space, a quote, a bracket or a backslash too
# (a URL inside JSON or HTML text must not take the text's own punctuation with it).
_QUERY_PARAM = re.compile(r"(?P<sep>[?&;])(?P<name>[^=&#\s;\"'<>\\]+)=(?P<value>[^&#\s;\"'<>\\)\]]*)")
#: Values shorter than this are not remembered: replacing "1" or "abc" everywhere would
#: garble every record, and a credential that short protects nothing.
MIN_SECRET = 6

_known: set[str] = set()
_pattern: re.Pattern[str] | None = None


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name))


def remember(*values: str | None) -> None:
    """Never write these values anywhere (see the module doc)."""
    global _pattern
    added = False
    for value in values:
        if isinstance(value, str) and len(value.strip()) >= MIN_SECRET and value not in _known:
            # as written, and as JSON writes it inside a string (quotes, backslashes escaped)
            _known.update({value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]})
            added = True
    if added:
        # longest first, so that a secret holding another is replaced whole
        _pattern = re.compile("|".join(re.escape(v) for v in sorted(_known, key=len, reverse=True)))


def remember_url(url: str | None) -> None:
    """Remember the user information and every query value of a server address."""
    if not url:
        return
    for m in _USERINFO.finditer(url):
        userinfo = m["userinfo"]
        plain = unquote(userinfo)
        # as written, decoded, and as HTTP Basic authentication sends it (a server that
        # echoes its Authorization header echoes that)
        remember(userinfo, userinfo.partition(":")[2], plain, plain.partition(":")[2])
        remember(base64.b64encode(plain.encode("utf-8")).decode("ascii"))
    if "?" in url:
        remember(*(m["value"] for m in _QUERY_PARAM.finditer(url[url.index("?") :])))


#: Environment variables whose values are credentials (``OPENAI_API_KEY``, ``HF_TOKEN``,
#: ``DB_PASSWORD``, ...). Narrower than :data:`SECRET_NAME`: ``PWD`` is the working folder.
SECRET_ENVIRONMENT = re.compile(r"(key|token|secret|passw|credential|bearer|cookie|auth(?!or))", re.IGNORECASE)


def remember_environment(environ: Mapping[str, str] | None = None) -> None:
    """Remember every environment value that is a credential: a name that says so
    (:data:`SECRET_ENVIRONMENT`), and a value that is one word and not a path on this machine."""
    environ = os.environ if environ is None else environ
    remember(
        *(
            value
            for name, value in environ.items()
            if SECRET_ENVIRONMENT.search(name) and value and not any(c.isspace() for c in value)
            and not os.path.exists(value)
        )
    )  # fmt: skip


def scrub(text: str) -> str:
    """``text`` with every known secret, URL credentials and URL query values replaced."""
    if _pattern is not None:
        text = _pattern.sub(REDACTED, text)
    if "://" in text:
        text = _USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    if "?" in text and "=" in text:
        text = _QUERY_PARAM.sub(lambda m: f"{m['sep']}{m['name']}={REDACTED}", text)
    return text


def redact_args(args: Mapping[str, str]) -> dict[str, str]:
    """``-M`` arguments fit to write down: secret-looking names hidden (their values
    remembered), every value scrubbed."""
    for name, value in args.items():
        if is_secret_name(name):
            remember(value)
        remember_url(value if "://" in value else None)
    return {k: (REDACTED if is_secret_name(k) else scrub(v)) for k, v in args.items()}
