#!/usr/bin/env python3
"""Real-client compatibility check: the PyPI package `metabase-api`
(module `metabase_api`, class `Metabase_API`) against a Tessera server.

Usage: python metabase_api_client.py BASE_URL EMAIL PASSWORD API_KEY

What the library does (metabase-api 3.6, metabase_api/metabase_api.py and
_rest_methods.py), and so what is exercised here:
  * email/password: the constructor calls authenticate(), which does
    POST {BASE_URL}/api/session with JSON {"username", "password"}; on a
    non-2xx answer it raises Exception(response); otherwise it stores
    response.json()["id"] in .session_id and sets
    .header = {"X-Metabase-Session": session_id}.
  * api_key=: the constructor sets .header = {"X-API-KEY": api_key} and does
    GET {BASE_URL}/api/database/1; a 401 raises
    ValueError("The provided API key is not correct."), any other status is
    accepted.
  * get(endpoint): first validate_session() (session clients only:
    GET /api/user/current; on 401 it re-runs authenticate()), then
    GET endpoint with .header; returns response.json() if ok else False, or
    the raw Response when 'raw' is passed.

Every call below goes through the library; nothing is faked. The only
network peer is BASE_URL. Prints one line per check, then
"<n> passed, <m> failed"; exits non-zero on any failure.
"""

import os
import sys
import traceback

BOGUS_API_KEY = "mb_" + "A" * 44
REQUEST_TIMEOUT = float(os.environ.get("TESSERA_CLIENT_TIMEOUT", "30"))


def usage():
    sys.stderr.write(
        "usage: python metabase_api_client.py BASE_URL EMAIL PASSWORD API_KEY\n"
    )
    sys.exit(2)


if len(sys.argv) != 5:
    usage()

BASE_URL, EMAIL, PASSWORD, API_KEY = sys.argv[1:5]

# Only BASE_URL (127.0.0.1) is ever contacted: keep any proxy settings in the
# environment from intercepting local traffic.
for var in ("NO_PROXY", "no_proxy"):
    extra = "127.0.0.1,localhost"
    os.environ[var] = (os.environ[var] + "," + extra) if os.environ.get(var) else extra

try:
    import requests
    from metabase_api import Metabase_API
except ImportError as exc:  # pragma: no cover - environment problem
    sys.stderr.write(
        "FATAL: cannot import metabase_api/requests (%s); run "
        "tests/clients/setup-venv.sh and use the python it prints\n" % exc
    )
    sys.exit(2)

# The library calls requests.get/post without a timeout; give every request a
# default one so a hung server fails the check instead of hanging CI. This does
# not change what is sent or how responses are handled.
_orig_request = requests.sessions.Session.request


def _request_with_timeout(self, method, url, **kwargs):
    if kwargs.get("timeout") is None:
        kwargs["timeout"] = REQUEST_TIMEOUT
    return _orig_request(self, method, url, **kwargs)


requests.sessions.Session.request = _request_with_timeout


class CheckFailed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def describe(res):
    """Short description of a requests.Response for failure messages."""
    if not isinstance(res, requests.Response):
        return repr(res)
    body = res.text
    if len(body) > 300:
        body = body[:300] + "..."
    return "HTTP %d %r" % (res.status_code, body)


results = []  # (name, ok)


def check(name, fn):
    try:
        detail = fn()
    except CheckFailed as exc:
        print("FAIL  %s: %s" % (name, exc))
        results.append((name, False))
        return
    except Exception as exc:  # unexpected library/network error
        print("FAIL  %s: unexpected %s: %s" % (name, type(exc).__name__, exc))
        traceback.print_exc(file=sys.stderr)
        results.append((name, False))
        return
    print("PASS  %s%s" % (name, (": " + detail) if detail else ""))
    results.append((name, True))


state = {}


# --- (a) username/password -> session -------------------------------------

def password_login():
    mb = Metabase_API(domain=BASE_URL, email=EMAIL, password=PASSWORD)
    sid = mb.session_id
    expect(isinstance(sid, str) and sid, "no session id after login: %r" % (sid,))
    expect(
        mb.header == {"X-Metabase-Session": sid},
        "unexpected client headers %r" % (mb.header,),
    )
    state["session_client"] = mb
    return "POST /api/session -> session id %s" % sid


def session_current_user():
    mb = state.get("session_client")
    expect(mb is not None, "login check did not produce a client")
    res = mb.get("/api/user/current", "raw")
    expect(res.status_code == 200, "GET /api/user/current: %s" % describe(res))
    user = res.json()
    expect(isinstance(user, dict), "user is not a JSON object: %r" % (user,))
    expect("id" in user, "user has no id: %r" % (user,))
    got = str(user.get("email", ""))
    expect(
        got.lower() == EMAIL.lower(),
        "email %r != expected %r" % (got, EMAIL),
    )
    # The library's default (non-raw) form must give the same object.
    parsed = mb.get("/api/user/current")
    expect(
        isinstance(parsed, dict) and parsed.get("id") == user["id"],
        "get() without 'raw' returned %r" % (parsed,),
    )
    return "id=%r email=%s" % (user["id"], got)


def session_renewal():
    # validate_session(): a 401 on GET /api/user/current with a dead session
    # makes the library log in again transparently.
    mb = state.get("session_client")
    expect(mb is not None, "login check did not produce a client")
    dead = "00000000-0000-0000-0000-000000000000"
    mb.session_id = dead
    mb.header = {"X-Metabase-Session": dead}
    user = mb.get("/api/user/current")
    expect(
        mb.session_id != dead and mb.header == {"X-Metabase-Session": mb.session_id},
        "library did not re-authenticate (header %r)" % (mb.header,),
    )
    expect(
        isinstance(user, dict) and str(user.get("email", "")).lower() == EMAIL.lower(),
        "after re-login GET /api/user/current gave %r" % (user,),
    )
    return "invalid session -> 401 -> new session %s" % mb.session_id


# --- (b) API key -----------------------------------------------------------

def api_key_construct():
    # Constructor probes GET /api/database/1 and raises only on 401.
    mb = Metabase_API(domain=BASE_URL, api_key=API_KEY)
    expect(mb.header == {"X-API-KEY": API_KEY}, "unexpected headers %r" % (mb.header,))
    state["key_client"] = mb
    return "GET /api/database/1 was not 401"


def api_key_current_user():
    mb = state.get("key_client")
    expect(mb is not None, "API-key check did not produce a client")
    res = mb.get("/api/user/current", "raw")
    expect(res.status_code == 200, "GET /api/user/current: %s" % describe(res))
    user = res.json()
    expect(isinstance(user, dict), "user is not a JSON object: %r" % (user,))
    expect("id" in user, "user has no id: %r" % (user,))
    return "id=%r" % (user["id"],)


# --- refusals ----------------------------------------------------------------

def wrong_password_refused():
    try:
        Metabase_API(domain=BASE_URL, email=EMAIL, password=PASSWORD + "-wrong")
    except Exception as exc:
        # authenticate() raises Exception(response) on a non-2xx answer.
        res = exc.args[0] if exc.args else None
        expect(
            isinstance(res, requests.Response),
            "raised %s(%r), not the library's Exception(response)"
            % (type(exc).__name__, exc),
        )
        expect(res.status_code == 401, "expected 401, got %s" % describe(res))
        return "POST /api/session -> %s" % describe(res)
    raise CheckFailed("login with a wrong password succeeded")


def bogus_api_key_refused():
    try:
        Metabase_API(domain=BASE_URL, api_key=BOGUS_API_KEY)
    except ValueError as exc:
        expect(
            "api key is not correct" in str(exc).lower(),
            "unexpected ValueError: %s" % exc,
        )
        return "GET /api/database/1 -> 401 -> ValueError"
    raise CheckFailed("bogus API key was accepted (GET /api/database/1 was not 401)")


check("password login (POST /api/session, X-Metabase-Session)", password_login)
check("session: GET /api/user/current returns the user", session_current_user)
check("session: expired session is renewed by the library", session_renewal)
check("api key: client accepts the key (X-API-KEY)", api_key_construct)
check("api key: GET /api/user/current returns a user", api_key_current_user)
check("wrong password is refused", wrong_password_refused)
check("bogus API key is refused", bogus_api_key_refused)

passed = sum(1 for _, ok in results if ok)
failed = len(results) - passed
if failed:
    sys.stderr.write(
        "metabase-api client check FAILED: %s\n"
        % ", ".join(name for name, ok in results if not ok)
    )
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
