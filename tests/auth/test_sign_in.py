"""The whole authorization-code flow against the real provider, for each demo account."""

from __future__ import annotations

import httpx
from sqlmodel import select

from api.app import create_app
from api.auth.oidc import Providers
from core.db import Database
from core.models import (
    Identity,
    Membership,
    Organization,
    OrganizationKind,
    Person,
    Role,
    Sector,
    VerificationMethod,
    WebSession,
)
from core.settings import Settings
from tests.auth.conftest import (
    CLIENT_ID,
    SESSION_COOKIE,
    Browser,
    Tamper,
    app_client,
    query_of,
    settings_for,
)


async def _person(database: Database, issuer: str, subject: str) -> Person:
    async with database.session() as session:
        statement = (
            select(Person)
            .join(Identity, Identity.person_id == Person.id)  # type: ignore[arg-type]
            .where(Identity.issuer == issuer, Identity.subject == subject)
        )
        return (await session.exec(statement)).one()


async def _memberships(database: Database, person: Person) -> list[tuple[Organization, Role]]:
    async with database.session() as session:
        statement = (
            select(Organization, Membership.role)
            .join(Membership, Membership.organization_id == Organization.id)  # type: ignore[arg-type]
            .where(Membership.person_id == person.id)
        )
        return [(organization, Role(role)) for organization, role in await session.exec(statement)]


async def test_the_commune_agent_signs_in_and_her_commune_is_created_verified_and_public(
    browser: Browser, database: Database, generic_op: object
) -> None:
    authorize = await browser.start("generic", next_path="/annonces")
    params = query_of(authorize)
    assert set(params) >= {"state", "nonce", "code_challenge", "code_challenge_method"}
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert params["redirect_uri"] == "http://testserver/auth/callback/generic"

    response = await browser.finish(await browser.authorize(authorize, "agent-montreuil"))

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/annonces"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "elx_session=" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie
    assert not cookie.startswith("__Host-")
    secret = SESSION_COOKIE.search(cookie).group(2)  # type: ignore[union-attr]
    assert len(secret) >= 43
    assert "montreuil" not in cookie.lower()

    person = await _person(database, generic_op.issuer, "agent-montreuil")  # type: ignore[attr-defined]
    assert person.email == "camille.martin@montreuil.fr"
    assert person.display_name == "Camille Martin"
    [(commune, role)] = await _memberships(database, person)
    assert role == Role.OWNER
    assert commune.siret == "21930048000007"
    assert commune.siren == "219300480"
    assert commune.name == "Commune de Montreuil"
    assert commune.insee_code == "93048"
    assert (commune.kind, commune.sector) == (OrganizationKind.COLLECTIVITE, Sector.PUBLIC)
    assert commune.verified
    assert commune.verified_by == VerificationMethod.SIRET_CLAIM


async def test_the_fablab_manager_without_siret_signs_in_with_no_organization(
    browser: Browser, database: Database, generic_op: object
) -> None:
    response = await browser.sign_in("generic", "fablab-gueret")

    assert response.status_code == 303, response.text
    person = await _person(database, generic_op.issuer, "fablab-gueret")  # type: ignore[attr-defined]
    assert await _memberships(database, person) == []


async def test_a_company_employee_creates_a_private_organization_a_second_person_joins_it(
    browser: Browser, app_http: httpx.AsyncClient, database: Database, generic_op: object
) -> None:
    assert (await browser.sign_in("generic", "salarie-entreprise")).status_code == 303
    # The same account through ProConnect is another identity: never merged by e-mail.
    second = Browser(app_http)
    app_http.cookies.clear()
    assert (await second.sign_in("proconnect", "salarie-entreprise")).status_code == 303
    await second.aclose()

    first = await _person(database, generic_op.issuer, "salarie-entreprise")  # type: ignore[attr-defined]
    [(company, role)] = await _memberships(database, first)
    assert role == Role.OWNER
    assert (company.kind, company.sector) == (OrganizationKind.ENTREPRISE, Sector.PRIVATE)
    assert company.verified_by == VerificationMethod.SIRET_CLAIM
    async with database.session() as session:
        people = (
            await session.exec(select(Membership).where(Membership.organization_id == company.id))
        ).all()
    assert sorted(m.role for m in people) == [Role.MEMBER, Role.OWNER]
    assert len({m.person_id for m in people}) == 2


async def test_proconnect_gets_only_its_parameters_and_claims_come_from_the_signed_userinfo(
    browser: Browser, database: Database, tamper: Tamper, proconnect_op: object
) -> None:
    authorize = await browser.start("proconnect")
    params = query_of(authorize)
    assert set(params) == {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce"}
    assert params["client_id"] == CLIENT_ID

    response = await browser.finish(await browser.authorize(authorize, "agent-montreuil"))

    assert response.status_code == 303, response.text
    userinfo = [r for r in tamper.requests if r.url.path == "/me"]
    assert len(userinfo) == 1
    token_request = next(r for r in tamper.requests if r.url.path == "/token")
    assert b"client_secret=" in token_request.content
    assert b"code_verifier" not in token_request.content
    person = await _person(database, proconnect_op.issuer, "agent-montreuil")  # type: ignore[attr-defined]
    [(commune, _)] = await _memberships(database, person)
    assert commune.sector == Sector.PUBLIC


async def test_over_https_the_cookie_is_secure_with_the_host_prefix(
    settings: Settings, database: Database, generic_op: object, proconnect_op: object
) -> None:
    secure = settings_for(settings, generic_op, proconnect_op, "https://testserver")  # type: ignore[arg-type]
    async with app_client(secure, database, Tamper()) as http:
        browser = Browser(http)
        response = await browser.sign_in("generic", "fablab-gueret")
        await browser.aclose()

    assert response.status_code == 303, response.text
    cookie = next(c for c in response.headers.get_list("set-cookie") if "elx_session=" in c)
    assert cookie.startswith("__Host-elx_session=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "Domain" not in cookie


async def test_the_providers_are_listed_for_the_sign_in_page(app_http: httpx.AsyncClient) -> None:
    response = await app_http.get("/auth/providers")

    assert response.json() == {
        "providers": [
            {
                "name": "generic",
                "label": "Fournisseur générique",
                "kind": "generic",
                "login_url": "/auth/login/generic",
            },
            {
                "name": "proconnect",
                "label": "ProConnect",
                "kind": "proconnect",
                "login_url": "/auth/login/proconnect",
            },
        ]
    }


async def test_development_lists_the_demo_accounts_for_the_sign_in_page(
    settings: Settings, database: Database
) -> None:
    development = settings.model_copy(update={"environment": "development"})
    app = create_app(development, database, providers=Providers([]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        listing = (await http.get("/auth/providers")).json()
    logins = {account["login"] for account in listing["demo_accounts"]}
    assert {"agent-montreuil", "fablab-gueret"} <= logins
    assert all(account["password"] for account in listing["demo_accounts"])


async def test_a_session_row_keeps_the_id_token_server_side(
    browser: Browser, database: Database
) -> None:
    response = await browser.sign_in("generic", "fablab-gueret")

    async with database.session() as session:
        [row] = (await session.exec(select(WebSession))).all()
    assert row.id_token.count(".") == 2
    assert row.id_token not in response.headers.get("set-cookie", "")
