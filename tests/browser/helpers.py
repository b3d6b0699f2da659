"""Shared by the browser tests: Debian's Chromium, one logged-in context per persona, screenshots,
and submitting a flow action on the case page."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# ORM calls the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
HAVE_CHROMIUM = Path(CHROMIUM).exists()


@contextmanager
def launched_chromium():
    """Headless Debian Chromium (never a Playwright-downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Session:
    """One browser context per persona, so nobody has to log out between steps."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base = base_url
        self.contexts = []

    def page(self, username: str | None = None):
        context = self.browser.new_context(base_url=self.base, locale="zh-CN", viewport={"width": 1360, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username:
            from sanxiang.accounts.models import User
            from sanxiang.accounts.otp import otp_required
            from sanxiang.testing import otp_code_for, totp_device_for

            user = User.objects.get(username=username)
            if otp_required(user):
                totp_device_for(user)  # the persona has enrolled an authenticator before
            page.goto("/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", "pass12345")
            page.click("button[type=submit]")
            page.wait_for_url(lambda url: "/staff/" in url or "/accounts/otp/" in url)
            if "/accounts/otp/" in page.url:
                # Roles that require 2FA: type the code the persona's authenticator shows now.
                page.fill("#id_otp", otp_code_for(user))
                page.click("form:has(#id_otp) button[type=submit]")  # not the header's 退出 button
            page.wait_for_url("**/staff/")
        return page

    def close(self):
        for context in self.contexts:
            context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def act(page, action: str, fill: dict[str, str] | None = None, *, check: tuple[str, ...] = ()):
    """Fill the form of one flow action on the case page and submit it (htmx swaps the panel)."""
    form = page.locator(f'form[data-action="{action}"]')
    for name, value in (fill or {}).items():
        form.locator(f'[name="{name}"]').fill(value)
    for selector in check:
        form.locator(selector).check()
    form.locator("button[type=submit]").click()
