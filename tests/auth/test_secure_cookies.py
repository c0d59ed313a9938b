"""Every cookie the app sets, in a whole sign-in and sign-out, is `Secure` (and `__Host-`) when
the public URL is https, and neither over plain http (a browser would drop a Secure cookie)."""

from __future__ import annotations

import httpx
import pytest

from core.db import Database
from core.settings import Settings
from tests.auth.conftest import Browser, Tamper, app_client, settings_for


async def _every_set_cookie(settings: Settings, database: Database) -> list[str]:
    seen: list[str] = []

    async def collect(response: httpx.Response) -> None:
        seen.extend(response.headers.get_list("set-cookie"))

    async with app_client(settings, database, Tamper()) as http:
        http.event_hooks["response"].append(collect)
        browser = Browser(http)
        signed = await browser.sign_in("generic", "fablab-gueret")
        assert signed.status_code == 303, signed.text
        out = await http.post("/auth/logout", headers={"Origin": settings.base_url})
        assert out.status_code == 303, out.text
        back = await browser.provider_logout(out.headers["location"])
        assert (await http.get(back)).status_code == 303
        await browser.aclose()
    return seen


@pytest.mark.parametrize("scheme", ["https", "http"])
async def test_every_cookie_is_secure_exactly_when_the_public_url_is_https(
    settings: Settings, database: Database, generic_op: object, proconnect_op: object, scheme: str
) -> None:
    public = settings_for(settings, generic_op, proconnect_op, f"{scheme}://testserver")  # type: ignore[arg-type]

    cookies = await _every_set_cookie(public, database)

    names = {cookie.split("=", 1)[0] for cookie in cookies}
    prefix = "__Host-" if scheme == "https" else ""
    assert names == {f"{prefix}elx_login", f"{prefix}elx_session"}, cookies
    assert len(cookies) >= 6, cookies  # set and cleared: login, session, the sign-out's state
    for cookie in cookies:
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        assert ("secure" in attributes) == (scheme == "https"), cookie
        assert "httponly" in attributes, cookie
