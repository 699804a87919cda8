#!/usr/bin/env python3
"""A real SMTP server that keeps what it receives, for Tessera's mail tests.

Run with the clients venv's python (tests/clients/setup-venv.sh installs
aiosmtpd into it):

    python smtp_sink.py [--smtp-port N]

* SMTP (aiosmtpd, plain, no TLS) on 127.0.0.1:N, or a free port when N is
  not given or 0. AUTH PLAIN / LOGIN are offered over the plain connection and
  any username/password is accepted; authenticating is never required.
* Every message is kept in memory and parsed with the stdlib email package.
* HTTP API (stdlib) on 127.0.0.1, always on a free port:
    GET    /messages            -> 200, JSON list of every message, oldest first
    GET    /messages?to=<addr>  -> only messages whose envelope recipients
                                   include <addr> (case-insensitive)
    DELETE /messages            -> 204, clears the store (ids keep counting)
  Each message: {"id": int, "from": str, "to": [str], "subject": str,
  "text": str, "html": str, "headers": {"From", "To", "Subject",
  "Message-ID", "Date"}} (a header the message lacks is absent); text and
  html are the decoded parts with CRLF line ends turned into LF.
* Prints exactly one line "READY smtp=<port> http=<port>" on stdout once both
  listen; exits 0 on SIGTERM / SIGINT. Listens on 127.0.0.1 only.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.smtp import SMTP, AuthResult

HOST = "127.0.0.1"
# aiosmtpd logs "Session.login_data is deprecated" on every AUTH, from its own code.
logging.getLogger("mail.log").setLevel(logging.ERROR)
KEPT_HEADERS = ("From", "To", "Subject", "Message-ID", "Date")


class Store:
    def __init__(self):
        self._lock = threading.Lock()
        self._messages = []
        self._next_id = 1

    def add(self, message):
        with self._lock:
            message["id"] = self._next_id
            self._next_id += 1
            self._messages.append(message)

    def list(self, to=None):
        with self._lock:
            messages = list(self._messages)
        if to is not None:
            want = to.strip().lower()
            messages = [m for m in messages if want in (r.lower() for r in m["to"])]
        return messages

    def clear(self):
        with self._lock:
            self._messages.clear()


def _part_text(part):
    """A text part's decoded content, with SMTP's CRLF line ends made LF."""
    if part is None:
        return ""
    try:
        content = part.get_content()
    except Exception:  # odd charset or encoding: fall back to raw decoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return content.replace("\r\n", "\n")


def parse_message(mail_from, rcpt_tos, raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if msg.is_multipart():
        text = _part_text(msg.get_body(preferencelist=("plain",)))
        html = _part_text(msg.get_body(preferencelist=("html",)))
    else:
        ctype = msg.get_content_type()
        body = _part_text(msg)
        text = body if ctype == "text/plain" else ""
        html = body if ctype == "text/html" else ""
    headers = {}
    for name in KEPT_HEADERS:
        value = msg.get(name)
        if value is not None:
            headers[name] = str(value)
    return {
        "id": 0,
        "from": mail_from,
        "to": list(rcpt_tos),
        "subject": str(msg.get("Subject", "")),
        "text": text,
        "html": html,
        "headers": headers,
    }


class Handler:
    def __init__(self, store):
        self.store = store

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            message = parse_message(envelope.mail_from, envelope.rcpt_tos, raw)
        except Exception as exc:  # keep the sink up whatever arrives
            print(f"smtp_sink: cannot parse message: {exc!r}", file=sys.stderr, flush=True)
            return "554 Transaction failed: unparseable message"
        self.store.add(message)
        return "250 Message accepted for delivery"


def accept_any_login(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)


def make_http_server(store):
    class Api(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # keep stdout to the READY line
            pass

        def _send(self, status, body=None):
            data = b"" if body is None else json.dumps(body).encode("utf-8")
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path.rstrip("/") != "/messages":
                return self._send(404, {"error": "not found"})
            to = parse_qs(url.query).get("to")
            self._send(200, store.list(to[0] if to else None))

        def do_DELETE(self):
            if urlsplit(self.path).path.rstrip("/") != "/messages":
                return self._send(404, {"error": "not found"})
            store.clear()
            self._send(204)

    httpd = ThreadingHTTPServer((HOST, 0), Api)
    httpd.daemon_threads = True
    return httpd


async def main(smtp_port):
    loop = asyncio.get_running_loop()
    store = Store()
    handler = Handler(store)

    def factory():
        return SMTP(
            handler,
            hostname="localhost",  # no getfqdn() lookup
            enable_SMTPUTF8=True,
            auth_require_tls=False,
            authenticator=accept_any_login,
            loop=loop,
        )

    # asyncio sets SO_REUSEADDR on POSIX, so a restart on the same port
    # right after a kill binds even with connections in TIME_WAIT.
    server = await loop.create_server(factory, host=HOST, port=smtp_port, reuse_address=True)
    bound_smtp = server.sockets[0].getsockname()[1]

    httpd = make_http_server(store)
    http_thread = threading.Thread(target=httpd.serve_forever, name="http-api", daemon=True)
    http_thread.start()

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    sys.stdout.write(f"READY smtp={bound_smtp} http={httpd.server_address[1]}\n")
    sys.stdout.flush()

    await stop.wait()
    server.close()
    httpd.shutdown()
    httpd.server_close()
    try:  # Python >= 3.12 waits here for open SMTP sessions: don't hang on them
        await asyncio.wait_for(server.wait_closed(), 2)
    except asyncio.TimeoutError:
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, default=0, help="SMTP port (0 or absent: a free one)")
    args = parser.parse_args()
    asyncio.run(main(args.smtp_port))
