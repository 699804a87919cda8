"""Single sign-on in real headless Chromium (Debian's, driven by Playwright).

Started by crates/tessera/tests/api/pages_e2e.rs against an in-process server set up for the real
OpenID provider (tests/peers/oidc), which logs in Ada (ada@example.com) when nobody is named. The
flow: /auth/login shows the single sign-on button -> click it -> the provider's login completes in
this browser -> back on Tessera, signed in on /account with Ada's name -> a reload stays signed in.
Screenshots sso-login.png and sso-account.png go to --shots; any failed check exits non-zero.
With --button "Sign in with Google" (and --name google) the same walk goes through the "Sign in with
Google" link, the provider standing in for Google's issuer.
"""

import argparse
import sys

from playwright.sync_api import sync_playwright

from pages import CHROMIUM_ARGS, check

def run(args, browser):
    base = args.base.rstrip("/")
    button = f"a:has-text('{args.button}')"
    context = browser.new_context(viewport={"width": 1100, "height": 820})
    page = context.new_page()

    def at(path):
        url = page.url.split("#")[0]
        check(url == base + path, f"expected to be at {path}, am at {url}")

    def says(text):
        body = page.inner_text("body")
        check(text in body, f"{page.url} should say {text!r}; it says:\n{body}")

    page.goto(base + "/auth/login")
    at("/auth/login")
    check(page.locator(button).count() == 1, f"one {args.button!r} button on the sign-in page")
    page.screenshot(path=f"{args.shots}/{args.name}-login.png", full_page=True)

    # Off to the provider and back: the browser carries Tessera's login-state cookie there and back.
    provider_seen = []
    page.on(
        "request",
        lambda r: provider_seen.append(r.url) if not r.url.startswith(base) else None,
    )
    page.click(button)
    page.wait_for_url(base + "/account")
    check(provider_seen, "the browser went through the provider")
    at("/account")
    says("Ada Lovelace")
    says("ada@example.com")
    page.screenshot(path=f"{args.shots}/{args.name}-account.png", full_page=True)

    # The session is a real one: a fresh load of the sign-in page sends the person on.
    page.goto(base + "/auth/login")
    at("/account")
    context.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--base", required=True)
    parser.add_argument("--shots", required=True)
    parser.add_argument("--button", default="Sign in with single sign-on")
    parser.add_argument("--name", default="sso", help="screenshot name prefix")
    args = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        try:
            run(args, browser)
        finally:
            browser.close()
    print(f"ok {args.name}")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        sys.exit(1)
