"""Schemathesis hooks of Tessera's own, loaded with SCHEMATHESIS_HOOKS=tessera_checks.

`FreshSession` (only when TESSERA_FUZZ_EMAIL is set): signs in anew before every request, for the
runs of operations that end or weaken the caller's session, so each request still carries a live
one.

`no_internal_leak`: no answer may carry what only the server should know: stack traces and panics,
SQL and database errors, or a library's error text (serde's, axum's rejections). Such text reaching a
client would tell an attacker how the server is built and where its parsers give way; Tessera logs
internals once and answers with its own words (DESIGN §1).
"""

import os
import re

import requests
import schemathesis

# Fragments of internals, matched case-insensitively against the body and every header value.
LEAKS = [
    # Panics and traces.
    r"panicked at",
    r"stack backtrace",
    r"RUST_BACKTRACE",
    r"\bthread '[^']*' \(",
    r"src/[a-z_/]+\.rs:\d+",
    # SQL and the drivers.
    r"\bsqlx\b",
    r"SQLSTATE",
    r"error returned from database",
    r"UNIQUE constraint failed",
    r"FOREIGN KEY constraint failed",
    r"duplicate key value",
    r"violates (?:unique|foreign key|check|not-null) constraint",
    r"relation \"[^\"]+\"",
    r"syntax error at or near",
    r"\bSELECT\b.+\bFROM\b",
    r"\bINSERT INTO\b",
    r"database is locked",
    r"pool timed out",
    # serde and axum's own rejection texts.
    r"expected [^\n]{1,60} at line \d+ column \d+",
    r"invalid type: ",
    r"missing field `",
    r"unknown variant `",
    r"Failed to deserialize",
    r"Failed to parse the request body",
    r"Failed to buffer the request body",
    r"Invalid URL",
    r"Cannot parse `",
    r"Wrong number of path arguments",
    r"Missing request extension",
    r"Expected request with `Content-Type",
]
PATTERN = re.compile("|".join(f"(?:{p})" for p in LEAKS), re.IGNORECASE)


@schemathesis.check
def no_internal_leak(ctx, response, case):
    """No stack trace, SQL, database or library error text in any answer."""
    texts = [response.text or ""]
    texts += [f"{name}: {value}" for name, values in response.headers.items() for value in values]
    for text in texts:
        found = PATTERN.search(text)
        if found:
            raise AssertionError(f"internal detail in the answer: {found.group(0)!r} in {text[:300]!r}")


if os.environ.get("TESSERA_FUZZ_EMAIL"):

    @schemathesis.auth(refresh_interval=None)
    class FreshSession:
        """A new `X-Metabase-Session` for every request (the last one may have been ended)."""

        def get(self, case, ctx):
            response = requests.post(
                os.environ["TESSERA_FUZZ_BASE"] + "/api/session",
                json={"username": os.environ["TESSERA_FUZZ_EMAIL"], "password": os.environ["TESSERA_FUZZ_PASSWORD"]},
                # Its own client address (the server trusts the loopback proxy), so the failed logins
                # other runs provoke do not throttle these.
                headers={"X-Forwarded-For": os.environ["TESSERA_FUZZ_CLIENT_ADDRESS"]},
                timeout=10,
            )
            # Once the fuzzing has deactivated or reset this admin, requests go out signed out.
            return response.json()["id"] if response.status_code == 200 else ""

        def set(self, case, data, ctx):
            if data:
                case.headers = case.headers or {}
                case.headers["X-Metabase-Session"] = data
