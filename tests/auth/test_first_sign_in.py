"""The first sign-in that leaves a name to tell goes through the welcome page, once: a provider
that gave no name, or an organization known only by its SIRET (never named by it)."""

from __future__ import annotations

from sqlmodel import select

from core.db import Database
from core.models import Identity, Membership, Organization, Person
from tests.auth.conftest import Browser


async def _person_and_organizations(
    database: Database, subject: str
) -> tuple[Person, list[Organization]]:
    async with database.session() as session:
        person = (
            await session.exec(
                select(Person)
                .join(Identity, Identity.person_id == Person.id)  # type: ignore[arg-type]
                .where(Identity.subject == subject)
            )
        ).one()
        organizations = await session.exec(
            select(Organization)
            .join(Membership, Membership.organization_id == Organization.id)  # type: ignore[arg-type]
            .where(Membership.person_id == person.id)
        )
        return person, list(organizations.all())


async def test_a_siret_alone_is_named_by_its_owner_at_the_first_sign_in_only(
    browser: Browser, database: Database, generic_op: object
) -> None:
    first = await browser.finish(
        await browser.authorize(await browser.start("generic", "/publier"), "siret-seul")
    )
    again = await browser.finish(
        await browser.authorize(await browser.start("generic", "/publier"), "siret-seul")
    )
    person, [organization] = await _person_and_organizations(database, "siret-seul")

    assert first.status_code == 303, first.text
    assert first.headers["location"] == "/bienvenue?next=/publier"
    assert again.headers["location"] == "/publier"
    assert organization.siret == "44306184100005"
    assert "44306184100005" not in organization.name
    assert not organization.name.startswith("Établissement")
    assert organization.name == "Organisation de contact"
    assert organization.name_confirmed is False
    assert person.name_confirmed is False


async def test_a_person_the_provider_names_goes_straight_where_they_were_going(
    browser: Browser, database: Database, generic_op: object
) -> None:
    response = await browser.finish(
        await browser.authorize(await browser.start("generic", "/publier"), "salarie-entreprise")
    )
    person, [organization] = await _person_and_organizations(database, "salarie-entreprise")

    assert response.headers["location"] == "/publier"
    assert person.name_confirmed is True
    assert organization.name == "Atelier Bois Recyclé"  # the provider's organizational_unit
    assert organization.name_confirmed is True
