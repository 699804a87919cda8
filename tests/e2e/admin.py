"""Tessera's admin pages in real headless Chromium (Debian's, driven by Playwright), with script
and (--no-js) without.

Started by crates/tessera/tests/api/pages_e2e.rs against an in-process server with an SMTP sink, an
administrator (ada@example.com), a group "Analysts", people who sign in with Google and OIDC, and an
API key already made. The flow: the admin signs in and invites Kim -> Kim's invitation mail -> its
link in another browser -> a password -> signed in as Kim (on /account) -> the admin deactivates Kim -> Kim's open
page is signed out on its next request. Then the groups and API-key pages, and a new key shown once.
Screenshots: admin-people.png, admin-person.png, admin-groups.png, admin-group.png,
admin-api-keys.png, admin-api-key-new.png, admin-api-key-edit.png, admin-confirm.png and admin-people-phone.png in --shots, each prefixed
"js-" when the browser runs script (so both runs can share the folder).
"""

import argparse
import json
import re
import sys
import time
import urllib.parse
import urllib.request

from playwright.sync_api import sync_playwright

from pages import CHROMIUM_ARGS, PASSWORD, check

ADMIN = "ada@example.com"
INVITED = "kim@example.com"


class Run:
    def __init__(self, args, browser):
        self.args = args
        self.browser = browser
        self.base = args.base.rstrip("/")

    def context(self, width=1100, height=820):
        return self.browser.new_context(
            java_script_enabled=self.args.js, viewport={"width": width, "height": height}
        )

    def shot(self, page, name):
        prefix = "js-" if self.args.js else ""
        page.screenshot(path=f"{self.args.shots}/{prefix}{name}.png", full_page=True)

    def at(self, page, path):
        url = page.url.split("#")[0]
        check(url == self.base + path, f"expected to be at {path}, am at {url}")

    def says(self, page, text):
        body = page.inner_text("body")
        check(text in body, f"{page.url} should say {text!r}; it says:\n{body}")

    def sign_in(self, page, email, password):
        page.goto(self.base + "/auth/login?redirect=/admin/people")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("button[type=submit]")

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

    def flow(self):
        admin_ctx = self.context()
        admin = admin_ctx.new_page()
        # A visitor is sent to sign in and comes back to the admin page.
        admin.goto(self.base + "/admin/people")
        self.at(admin, "/auth/login?redirect=%2Fadmin%2Fpeople")
        self.sign_in(admin, ADMIN, PASSWORD)
        self.at(admin, "/admin/people")
        self.says(admin, "Invite someone")

        admin.fill("#email", INVITED)
        admin.fill("#first_name", "Kim")
        admin.fill("#last_name", "Lee")
        admin.check("label:has-text('Analysts')")
        admin.click("button:has-text('Invite')")
        self.says(admin, "Invitation sent.")
        kim_page = admin.url.split("?")[0]

        # Kim, in another browser: the invitation's link, a password, signed in.
        kim_ctx = self.context()
        kim = kim_ctx.new_page()
        kim.goto(self.mailed_link(INVITED))
        self.says(kim, "Welcome! Choose a password")
        kim.fill("#password", "Kims-own-pass-7")
        kim.fill("#confirm", "Kims-own-pass-7")
        kim.click("button[type=submit]")
        self.at(kim, "/account")
        self.says(kim, "Kim Lee")

        admin.goto(self.base + "/admin/people")
        self.says(admin, INVITED)
        self.shot(admin, "admin-people")
        admin.click("a:has-text('Kim Lee')")
        check(admin.url == kim_page, f"{admin.url} is not {kim_page}")
        self.shot(admin, "admin-person")
        # Destructive actions ask first, on a page of their own; Cancel changes nothing.
        admin.click("a:has-text('Deactivate')")
        self.says(admin, "Deactivate Kim Lee?")
        self.shot(admin, "admin-confirm")
        admin.click("a:has-text('Cancel')")
        check(admin.url == kim_page, f"cancel goes back to {kim_page}, not {admin.url}")
        admin.click("a:has-text('Deactivate')")
        admin.click("button:has-text('Deactivate')")
        self.says(admin, "Deactivated.")
        self.says(admin, "Reactivate")

        # Kim's open page is signed out on its next request.
        kim.reload()
        self.at(kim, "/auth/login?redirect=/account")

        admin.goto(self.base + "/admin/groups")
        self.says(admin, "Analysts")
        self.shot(admin, "admin-groups")
        admin.click("a:has-text('Analysts')")
        self.says(admin, "Members")
        self.shot(admin, "admin-group")

        admin.goto(self.base + "/admin/api-keys")
        self.says(admin, "Reporting")
        # Personal keys, everyone's, each revocable here.
        self.says(admin, "Ada's notebook")
        self.shot(admin, "admin-api-keys")
        admin.click("button[aria-label^='Revoke Ada']")
        self.says(admin, "Revoked: the key no longer works.")
        self.says(admin, "Nobody has made a personal API key.")
        admin.fill("#name", "Nightly export")
        admin.select_option("#group", label="Analysts")
        admin.click("button:has-text('Create key')")
        self.says(admin, "shown only this once")
        key = admin.input_value("#secret")
        check(key.startswith("mb_"), f"not a key: {key!r}")
        self.shot(admin, "admin-api-key-new")
        admin.goto(self.base + "/admin/api-keys")
        check(key not in admin.content(), "the key is never shown again")
        self.says(admin, "Nightly export")
        # Rename a key and move it to another group, on its own page.
        admin.click("a[aria-label='Edit Nightly export']")
        admin.fill("#name", "Nightly export (ops)")
        admin.select_option("#group", label="Administrators")
        self.shot(admin, "admin-api-key-edit")
        admin.click("button:has-text('Save')")
        self.says(admin, "Changes saved.")
        self.says(admin, "Nightly export (ops)")
        # Regenerating asks first, then shows the new key once.
        admin.click("a[aria-label='Regenerate Nightly export (ops)']")
        self.says(admin, "The current key stops working at once")
        admin.click("button:has-text('Regenerate')")
        self.says(admin, "shown only this once")
        check(admin.input_value("#secret") != key, "a new key")

        phone_ctx = self.browser.new_context(
            java_script_enabled=self.args.js,
            viewport={"width": 390, "height": 844},
            storage_state=admin_ctx.storage_state(),
        )
        phone = phone_ctx.new_page()
        phone.goto(self.base + "/admin/people?status=all")
        self.says(phone, INVITED)
        width = phone.evaluate("document.documentElement.scrollWidth")
        check(width <= 390, f"the list is wider than a phone: {width}px")
        self.shot(phone, "admin-people-phone")
        for ctx in (phone_ctx, kim_ctx, admin_ctx):
            ctx.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--base", required=True)
    parser.add_argument("--sink", required=True, help="the SMTP sink's /messages URL")
    parser.add_argument("--shots", required=True)
    parser.add_argument("--no-js", dest="js", action="store_false")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            Run(args, browser).flow()
        finally:
            browser.close()
    print("ok admin", "with script" if args.js else "without script")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
