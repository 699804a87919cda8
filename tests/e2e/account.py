"""The account page in real headless Chromium (Debian's, driven by Playwright).

Started by crates/tessera/tests/api/pages_e2e.rs against an in-process server where Pat
(pat@example.com) exists. Two browser contexts sign in as Pat; the first sees both sessions, signs the
other out (whose next page load is signed out), edits the name and changes the password. With --no-js
the browser runs no script at all. Screenshots go to --shots; any failed check exits non-zero.
"""

import argparse
import sys

from playwright.sync_api import sync_playwright

from pages import CHROMIUM_ARGS, check

EMAIL = "pat@example.com"
PASSWORD = "Tr0ub4dor&3X"
NEW_PASSWORD = "Fresh-pass-42"


class Browser:
    def __init__(self, args, browser, width=1100):
        self.args = args
        self.base = args.base.rstrip("/")
        self.prefix = "js" if args.js else "nojs"
        self.context = browser.new_context(
            java_script_enabled=args.js, viewport={"width": width, "height": 820}
        )
        self.page = self.context.new_page()

    def shot(self, name):
        self.page.screenshot(path=f"{self.args.shots}/{self.prefix}-{name}.png", full_page=True)

    def at(self, path):
        url = self.page.url.split("#")[0]
        check(url == self.base + path, f"expected to be at {path}, am at {url}")

    def says(self, text):
        body = self.page.inner_text("body")
        check(text in body, f"{self.page.url} should say {text!r}; it says:\n{body}")

    def sign_in(self, password=PASSWORD):
        self.page.goto(self.base + "/account")
        self.at("/auth/login?redirect=/account")
        self.page.fill("#email", EMAIL)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.at("/account")

    def sessions(self):
        return self.page.locator("section[aria-labelledby=sessions-title] table tbody tr")


def run(args, chromium):
    me = Browser(args, chromium)
    other = Browser(args, chromium)
    me.sign_in()
    other.sign_in()
    page = me.page
    page.reload()
    check(me.sessions().count() == 2, f"two sessions, saw {me.sessions().count()}")
    current = page.locator("section[aria-labelledby=sessions-title] tr.current")
    check(current.count() == 1, "one session is this browser's")
    check("This browser" in current.inner_text(), "the current one is marked")
    me.says("Sign out everywhere else")
    me.shot("account")

    # End the other browser's session: its next page load is signed out.
    page.click("section[aria-labelledby=sessions-title] tr:not(.current) button")
    me.at("/account?done=ended")
    me.says("That session was signed out.")
    check(me.sessions().count() == 1, "one session left")
    other.page.goto(other.base + "/account")
    other.at("/auth/login?redirect=/account")

    # The name.
    page.fill("#first_name", "Patricia")
    page.fill("#last_name", "Okafor")
    page.click("text=Save name")
    me.at("/account?done=profile")
    me.says("Your name was saved.")
    check("Patricia Okafor" in page.inner_text("nav"), "the bar shows the new name")

    # The password: a wrong old one changes nothing; the right one keeps this browser signed in
    # and signs the other out again.
    other.sign_in()
    page.fill("#old_password", "not-my-password-1")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("button:has-text('Change password')")
    me.says("Your current password is not correct.")
    check(page.input_value("#old_password") == "", "passwords are never echoed")
    me.shot("account-error")
    page.fill("#old_password", PASSWORD)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("button:has-text('Change password')")
    me.at("/account?done=password")
    me.says("Your password was changed.")
    check(me.sessions().count() == 1, "only this browser is left")
    other.page.goto(other.base + "/account")
    other.at("/auth/login?redirect=/account")
    other.sign_in(NEW_PASSWORD)

    # Everywhere else, then signing out from the bar.
    page.reload()
    check(me.sessions().count() == 2, "the other browser is back")
    page.click("text=Sign out everywhere else")
    me.says("Every other session was signed out.")
    other.page.goto(other.base + "/account")
    other.at("/auth/login?redirect=/account")

    # A personal API key: shown once, then listed masked, then revoked.
    me.says("You have no personal API keys.")
    page.fill("#key-name", "Nightly export")
    page.select_option("#key-days", "90")
    page.click("button:has-text('Create key')")
    me.at("/account/api-keys")
    secret = page.input_value("#secret")
    check(secret.startswith("tsk_") and len(secret) == 47, f"a personal key, got {secret!r}")
    me.says("shown only this once")
    me.shot("account-key-once")
    page.click("text=Back to your account")
    keys = page.locator("section[aria-labelledby=keys-title] table tbody tr")
    check(keys.count() == 1, f"one key listed, saw {keys.count()}")
    check(secret not in page.content(), "the key is never shown again")
    check(secret[:12] in keys.inner_text(), "listed by its prefix")
    me.shot("account-keys")
    page.click("button[aria-label='Revoke Nightly export']")
    me.says("That key was revoked")
    me.says("You have no personal API keys.")

    page.click("nav >> text=Sign out")
    me.at("/auth/login")

    phone = Browser(args, chromium, width=390)
    phone.sign_in(NEW_PASSWORD)
    phone.shot("account-phone")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--base", required=True)
    parser.add_argument("--shots", required=True)
    parser.add_argument("--no-js", dest="js", action="store_false")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            run(args, browser)
        finally:
            browser.close()
    print("ok account")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
