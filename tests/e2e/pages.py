"""Tessera's web pages in real headless Chromium (Debian's, driven by Playwright).

Started by crates/tessera/tests/api/pages_e2e.rs against an in-process server with an SMTP sink.
Phases:
  flows    setup -> sign in -> sign out; wrong password; forgot password -> the mailed link ->
           a new password -> signed in. With --no-js the browser runs no script at all.
  expired  an expired reset link (the Rust side advanced the fake clock) shows its own page.
A PNG of every page goes to --shots. Any failed check exits non-zero with a message.
"""

import argparse
import json
import re
import sys
import time
import urllib.parse
import urllib.request

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "Tr0ub4dor&3X"
NEW_PASSWORD = "Fresh-pass-42"
ADMIN = "ada@example.com"


def check(condition, message):
    if not condition:
        raise AssertionError(message)


class Run:
    def __init__(self, args, browser):
        self.args = args
        self.base = args.base.rstrip("/")
        self.prefix = "js" if args.js else "nojs"
        self.context = browser.new_context(
            java_script_enabled=args.js, viewport={"width": 1100, "height": 820}
        )
        self.page = self.context.new_page()

    def shot(self, name, page=None):
        (page or self.page).screenshot(
            path=f"{self.args.shots}/{self.prefix}-{name}.png", full_page=True
        )

    def at(self, path):
        url = self.page.url.split("#")[0]
        check(url == self.base + path, f"expected to be at {path}, am at {url}")

    def says(self, text):
        body = self.page.inner_text("body")
        check(text in body, f"{self.page.url} should say {text!r}; it says:\n{body}")

    def sign_in(self, email, password):
        self.page.goto(self.base + "/auth/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")

    def sign_out(self):
        self.page.goto(self.base + "/")
        self.page.click("nav >> text=Sign out")
        self.at("/auth/login")

    def flows(self):
        page = self.page
        # Nobody exists yet: the sign-in page sends the browser to setup.
        page.goto(self.base + "/")
        self.at("/setup")
        self.shot("setup")
        fields = {
            "#first_name": "Ada",
            "#last_name": "Lovelace",
            "#email": ADMIN,
            "#password": PASSWORD,
            "#confirm": "not the same",
            "#site_name": "Acme",
        }
        for selector, value in fields.items():
            page.fill(selector, value)
        page.click("button[type=submit]")
        self.says("The two passwords do not match.")
        check(page.input_value("#email") == ADMIN, "setup keeps the email")
        check(page.input_value("#password") == "", "setup never echoes a password")
        self.shot("setup-error")
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.click("button[type=submit]")
        self.at("/account")
        self.says("Signed in as Ada Lovelace")
        self.shot("home")
        check("People" in self.page.inner_text("nav"), "an admin is offered People")
        self.sign_out()
        self.shot("login")

        if self.args.js:
            # Keyboard order on the form: email (focused first), password, remember me, the button.
            order = []
            for _ in range(3):
                page.keyboard.press("Tab")
                order.append(page.evaluate("document.activeElement.id || document.activeElement.type"))
            check(order == ["password", "remember", "submit"], f"tab order {order}")

        self.sign_in(ADMIN, "wrong-password-1")
        self.says("Invalid email or password.")
        check(page.input_value("#email") == ADMIN, "login keeps the email")
        self.shot("login-error")
        self.sign_in(ADMIN, PASSWORD)
        self.at("/account")
        self.sign_out()

        # Forgot password -> the mail -> the link -> a new password -> signed in.
        page.click("text=Forgot your password?")
        self.at("/auth/forgot_password")
        self.shot("forgot")
        page.fill("#email", ADMIN)
        page.click("button[type=submit]")
        self.at("/auth/forgot_password?sent=1")
        self.says("If an account exists for that address")
        self.shot("forgot-sent")
        link = self.mailed_link(ADMIN)
        page.goto(link)
        self.says("Choose a new password")
        self.says("at least 6 characters")
        self.shot("reset")
        page.fill("#password", NEW_PASSWORD)
        page.fill("#confirm", NEW_PASSWORD)
        page.click("button[type=submit]")
        self.at("/account")
        self.says("Signed in as Ada Lovelace")
        # The used link has its own page.
        page.goto(link)
        self.says("This link no longer works")
        self.sign_out()
        self.sign_in(ADMIN, NEW_PASSWORD)
        self.at("/account")

        # A phone-sized screen.
        phone = self.context.browser.new_context(
            java_script_enabled=self.args.js, viewport={"width": 390, "height": 844}
        )
        small = phone.new_page()
        small.goto(self.base + "/auth/login")
        self.shot("login-phone", small)
        phone.close()

    def mailed_link(self, to):
        url = self.args.sink + "?" + urllib.parse.urlencode({"to": to})
        deadline = time.time() + 15
        while time.time() < deadline:
            with urllib.request.urlopen(url) as res:
                messages = json.load(res)
            if messages:
                found = re.search(r"https?://\S+/auth/reset_password/\S+", messages[-1]["text"])
                check(found, f"no link in {messages[-1]['text']!r}")
                return found.group(0)
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to}")

    def expired(self):
        self.page.goto(self.args.link)
        self.says("This link no longer works")
        self.says("Ask for a new link")
        self.shot("reset-expired")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--base", required=True)
    parser.add_argument("--sink", help="the SMTP sink's /messages URL")
    parser.add_argument("--shots", required=True)
    parser.add_argument("--phase", choices=["flows", "expired"], required=True)
    parser.add_argument("--link")
    parser.add_argument("--no-js", dest="js", action="store_false")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            run = Run(args, browser)
            getattr(run, args.phase)()
        finally:
            browser.close()
    print(f"ok {args.phase}")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
