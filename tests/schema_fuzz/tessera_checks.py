"""Schemathesis checks of Tessera's own, loaded with SCHEMATHESIS_HOOKS=tessera_checks.

`no_internal_leak`: no answer may carry what only the server should know: stack traces and panics,
SQL and database errors, or a library's error text (serde's, axum's rejections). Such text reaching a
client would tell an attacker how the server is built and where its parsers give way; Tessera logs
internals once and answers with its own words (DESIGN §1).
"""

import re

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
