"""The session cookie at work: CSRF rules on /graphql, timeouts, sign-out, provider JWT bearers."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import func, update
from sqlmodel import select

from core.db import Database
from core.models import Listing, PendingLogin, WebSession
from core.models.base import utcnow
from tests.auth.conftest import (
    APP,
    CLIENT_ID,
    Browser,
    query_of,
    sign,
)
from tests.images import multipart, small_jpeg

PUBLISH = (
    "mutation { listingPublish(input: { direction: OFFER, kind: EQUIPMENT, "
    'title: "Découpeuse laser", commune: "Montreuil" }) { __typename } }'
)


async def _listings(database: Database) -> int:
    async with database.session() as session:
        return (await session.exec(select(func.count()).select_from(Listing))).one()


@pytest.fixture
async def agent(browser: Browser) -> Browser:
    """The commune agent, signed in (her browser holds the session cookie)."""
    assert (await browser.sign_in("generic", "agent-montreuil")).status_code == 303
    return browser


async def test_a_signed_in_agent_publishes_from_the_site(
    agent: Browser, database: Database
) -> None:
    response = await agent.app.post("/graphql", json={"query": PUBLISH}, headers={"Origin": APP})

    assert response.json() == {"data": {"listingPublish": {"__typename": "ListingSuccess"}}}
    assert await _listings(database) == 1


async def test_same_origin_fetch_metadata_stands_for_a_missing_origin(agent: Browser) -> None:
    response = await agent.app.post(
        "/graphql", json={"query": PUBLISH}, headers={"Sec-Fetch-Site": "same-origin"}
    )

    assert response.json()["data"]["listingPublish"]["__typename"] == "ListingSuccess"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param({"Origin": "https://evil.example"}, None, id="cross-origin"),
        pytest.param({"Sec-Fetch-Site": "cross-site"}, None, id="cross-site, no origin"),
        pytest.param({}, None, id="no origin at all"),
        pytest.param({"Origin": APP, "Content-Type": "text/plain"}, "text", id="text/plain"),
        pytest.param(
            {"Origin": APP, "Content-Type": "application/x-www-form-urlencoded"},
            "form",
            id="form-encoded",
        ),
    ],
)
async def test_a_cross_site_or_simple_post_with_the_cookie_is_refused(
    agent: Browser, database: Database, headers: dict[str, str], body: str | None
) -> None:
    if body is None:
        response = await agent.app.post("/graphql", json={"query": PUBLISH}, headers=headers)
    else:
        content = PUBLISH if body == "text" else httpx.QueryParams({"query": PUBLISH}).__str__()
        response = await agent.app.post("/graphql", content=content, headers=headers)

    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_REFUSED"
    assert await _listings(database) == 0


async def test_an_idle_session_is_over(agent: Browser, database: Database) -> None:
    async with database.session() as session:
        long_ago = utcnow() - timedelta(hours=3)
        await session.exec(update(WebSession).values(last_seen_at=long_ago))  # type: ignore[call-overload]
        await session.commit()

    response = await agent.app.post("/graphql", json={"query": PUBLISH}, headers={"Origin": APP})

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _listings(database) == 0


async def test_a_session_past_its_absolute_expiry_is_over(
    agent: Browser, database: Database
) -> None:
    async with database.session() as session:
        await session.exec(update(WebSession).values(expires_at=utcnow()))  # type: ignore[call-overload]
        await session.commit()

    response = await agent.app.post("/graphql", json={"query": PUBLISH}, headers={"Origin": APP})

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_sign_out_ends_the_session_here_and_at_the_provider(
    agent: Browser, database: Database
) -> None:
    old_cookies = httpx.Cookies(agent.app.cookies)

    response = await agent.app.post("/auth/logout", headers={"Origin": APP})

    assert response.status_code == 303
    end_session = response.headers["location"]
    params = query_of(end_session)
    assert params["post_logout_redirect_uri"] == f"{APP}/auth/logout/callback"
    assert params["id_token_hint"].count(".") == 2
    assert len(params["state"]) >= 32
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(WebSession))).one() == 0

    back = await agent.provider_logout(end_session)
    assert back == f"{APP}/auth/logout/callback?state={params['state']}"
    done = await agent.app.get(back)
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    assert (await agent.app.get(back)).status_code == 400  # the state is spent

    # The old cookie, replayed, is no one.
    agent.app.cookies = old_cookies
    replay = await agent.app.post("/graphql", json={"query": PUBLISH}, headers={"Origin": APP})
    assert replay.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _listings(database) == 0


async def test_a_sign_out_return_with_a_wrong_state_is_refused(agent: Browser) -> None:
    response = await agent.app.post("/auth/logout", headers={"Origin": APP})
    state = query_of(response.headers["location"])["state"]

    forged = await agent.app.get("/auth/logout/callback", params={"state": state + "x"})

    assert forged.status_code == 400


async def test_a_cross_site_sign_out_is_refused(agent: Browser, database: Database) -> None:
    response = await agent.app.post("/auth/logout", headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(WebSession))).one() == 1


async def test_pending_states_do_not_pile_up(browser: Browser, database: Database) -> None:
    await browser.start("generic")
    async with database.session() as session:
        await session.exec(update(PendingLogin).values(expires_at=utcnow()))  # type: ignore[call-overload]
        await session.commit()

    await browser.start("generic")

    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(PendingLogin))).one() == 1


def _access_token(key: RSAKey, issuer: str, **changes: object) -> str:
    now = int(time.time())
    claims = {"iss": issuer, "sub": "agent-montreuil", "aud": CLIENT_ID, "iat": now}
    return sign(claims | {"exp": now + 300} | changes, key)


async def test_a_provider_access_token_acts_for_the_signed_in_identity(
    agent: Browser, signing_key: RSAKey, generic_op: object
) -> None:
    issuer = generic_op.issuer  # type: ignore[attr-defined]
    agent.app.cookies.clear()
    token = _access_token(signing_key, issuer)

    response = await agent.app.post(
        "/graphql", json={"query": PUBLISH}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.json() == {"data": {"listingPublish": {"__typename": "ListingSuccess"}}}


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"aud": "another-api"}, id="wrong audience"),
        pytest.param({"exp": 1_000_000}, id="expired"),
        pytest.param({"iss": "https://evil.example"}, id="unknown issuer"),
        pytest.param({"sub": "nobody-here"}, id="identity never signed in"),
    ],
)
async def test_a_bad_provider_access_token_is_refused(
    agent: Browser, signing_key: RSAKey, generic_op: object, changes: dict[str, object]
) -> None:
    agent.app.cookies.clear()
    token = _access_token(signing_key, generic_op.issuer, **changes)  # type: ignore[attr-defined]

    response = await agent.app.post(
        "/graphql", json={"query": PUBLISH}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_access_token_from_another_key_is_refused(
    agent: Browser, generic_op: object
) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "test-signing-key", "alg": "RS256"})
    agent.app.cookies.clear()
    token = _access_token(stranger, generic_op.issuer)  # type: ignore[attr-defined]

    response = await agent.app.post(
        "/graphql", json={"query": PUBLISH}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401


UPLOAD = """mutation($id: ID!, $file: Upload!) {
  listingPhotoAdd(listingId: $id, file: $file, alt: "Photo") { __typename }
}"""


async def test_a_photo_upload_with_the_cookie_needs_the_upload_header(agent: Browser) -> None:
    """A multipart form is what any site may post without a preflight; the custom header is not."""
    listing = (
        await agent.app.post(
            "/graphql",
            json={
                "query": PUBLISH.replace("__typename", "... on ListingSuccess { listing { id } }")
            },
            headers={"Origin": APP},
        )
    ).json()["data"]["listingPublish"]["listing"]["id"]
    upload = multipart(UPLOAD, {"id": listing}, ("p.jpg", small_jpeg(), "image/jpeg"))

    bare = await agent.app.post("/graphql", headers={"Origin": APP}, **upload)
    elsewhere = await agent.app.post(
        "/graphql", headers={"Origin": "https://evil.example", "Entrelieux-Upload": "1"}, **upload
    )
    sent = await agent.app.post(
        "/graphql", headers={"Origin": APP, "Entrelieux-Upload": "1"}, **upload
    )

    assert bare.status_code == elsewhere.status_code == 403
    assert bare.json()["errors"][0]["extensions"]["code"] == "CSRF_REFUSED"
    assert sent.json() == {"data": {"listingPhotoAdd": {"__typename": "ListingPhotoSuccess"}}}
