"""Agreements through the API: drafted when an exchange is accepted, edited into versions with
their author, accepted by each side's admin, downloaded by the parties only, read back with pypdf;
bad input refused with nothing written."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.agreements.drafting import siret_text
from core.agreements.french import NBSP, THIN_NBSP, euros, french_date, french_number
from core.agreements.kinds import kind_for
from core.models import (
    Agreement,
    AgreementAcceptance,
    AgreementVersion,
    Direction,
    ExchangeState,
    ListingKind,
    Notification,
    NotificationKind,
    Organization,
    OrganizationKind,
    Photo,
    PhotoStage,
    Role,
    Sector,
)
from core.services import agreements as agreements_service
from core.services.agreements import draft_agreement
from schema.relay import from_global_id, to_global_id
from tests.factories import (
    Member,
    make_exchange,
    make_listing,
    make_member,
    make_organization,
    make_space,
)
from tests.graphql import GraphQLClient

REQUEST = """mutation($input: ExchangeRequestInput!) { exchangeRequest(input: $input) {
  __typename ... on ExchangeChangeSuccess { exchange { id } } ... on Error { message } } }"""
ACCEPT_EXCHANGE = """mutation($id: ID!) { exchangeAccept(id: $id) {
  __typename ... on Error { message } } }"""
AGREEMENT = """
  id kind state pdfUrl missingFields viewerCanAccept
  terms { providerRepresentativeName providerRepresentativeRole beneficiaryRepresentativeName
          providerAddress use insurance }
  current { id number authorName authorOrganization { name } pdfUrl pdfSha256
            clauses { title text } acceptances { organization { name } personName pdfSha256 } }
  versions { number acceptances { organization { name } } }
"""
READ = f"""query($id: ID!) {{ node(id: $id) {{ ... on Exchange {{ agreement {{ {AGREEMENT} }} }} }} }}"""
RESULT = f"""__typename
  ... on AgreementSuccess {{ agreement {{ {AGREEMENT} }} exchange {{ id }} }}
  ... on Error {{ code message }}
  ... on InputError {{ fields {{ field code }} }}"""
EDIT = (
    f"""mutation($input: AgreementEditInput!) {{ agreementEdit(input: $input) {{ {RESULT} }} }}"""
)
ACCEPT = f"""mutation($input: AgreementAcceptInput!) {{ agreementAccept(input: $input) {{ {RESULT} }} }}"""

COMMUNE_SIRET = "21690123000014"
ASSOCIATION_SIRET = "90123456700028"


@dataclass
class Scene:
    commune: Organization
    association: Organization
    mayor: Member  # OWNER of the commune
    agent: Member  # MEMBER of the commune
    president: Member  # ADMIN of the association
    volunteer: Member  # MEMBER of the association
    stranger: Member  # ADMIN of a third organization


async def _named(session: AsyncSession, member: Member, name: str) -> Member:
    member.person.display_name = name
    session.add(member.person)
    await session.flush()
    return member


@pytest.fixture
async def scene(session: AsyncSession) -> Scene:
    commune = await make_organization(
        session, "Commune de Saint-Génis", OrganizationKind.COLLECTIVITE, siret=COMMUNE_SIRET
    )
    association = await make_organization(
        session, "Association Œuvre Commune", OrganizationKind.ASSOCIATION, siret=ASSOCIATION_SIRET
    )
    other = await make_organization(session, "Ailleurs")
    await make_space(
        session,
        commune,
        name="Mairie",
        address="1 place de la Mairie",
        postcode="69230",
        commune_name="Saint-Génis",
    )
    await make_space(
        session,
        association,
        name="Local",
        address="3 place Gambetta",
        postcode="42000",
        commune_name="Saint-Étienne",
    )
    scene = Scene(
        commune=commune,
        association=association,
        mayor=await _named(
            session, await make_member(session, commune, Role.OWNER), "Hélène Dupré"
        ),
        agent=await make_member(session, commune, Role.MEMBER),
        president=await _named(
            session, await make_member(session, association, Role.ADMIN), "François Lefèvre"
        ),
        volunteer=await _named(
            session, await make_member(session, association, Role.MEMBER), "Zoé Martin"
        ),
        stranger=await make_member(session, other, Role.ADMIN),
    )
    await session.commit()
    return scene


async def _accepted_exchange(
    client: GraphQLClient,
    session: AsyncSession,
    owner: Organization,
    owner_admin: Member,
    requester: Member,
    **listing: Any,
) -> str:
    """A listing of `owner`, requested by `requester`, accepted by `owner_admin`: the real path."""
    kind = listing.get("kind", ListingKind.EQUIPMENT)
    row = await make_listing(session, owner, **listing)
    await session.commit()
    request: dict[str, Any] = {"listingId": to_global_id("Listing", row.id or 0)}
    if kind is ListingKind.MATERIAL:
        request["quantity"] = 42
    else:
        request |= {"startsAt": "2027-01-11T08:00:00+00:00", "endsAt": "2027-02-26T17:00:00+00:00"}
    made = (await client.execute(REQUEST, {"input": request}, requester.token))["exchangeRequest"]
    assert made["__typename"] == "ExchangeChangeSuccess", made
    exchange_id: str = made["exchange"]["id"]
    accepted = await client.execute(ACCEPT_EXCHANGE, {"id": exchange_id}, owner_admin.token)
    assert accepted["exchangeAccept"]["__typename"] == "ExchangeChangeSuccess", accepted
    return exchange_id


async def _read(client: GraphQLClient, exchange_id: str, token: str) -> dict[str, Any]:
    node = (await client.execute(READ, {"id": exchange_id}, token))["node"]
    assert node is not None
    return node["agreement"]  # type: ignore[no-any-return]


async def _edit(
    client: GraphQLClient, exchange_id: str, token: str, **input: Any
) -> dict[str, Any]:
    data = await client.execute(EDIT, {"input": {"exchangeId": exchange_id, **input}}, token)
    return data["agreementEdit"]  # type: ignore[no-any-return]


async def _accept(
    client: GraphQLClient, exchange_id: str, version_id: str, token: str
) -> dict[str, Any]:
    variables = {"input": {"exchangeId": exchange_id, "versionId": version_id}}
    return (await client.execute(ACCEPT, variables, token))["agreementAccept"]  # type: ignore[no-any-return]


async def _pdf_text(client: GraphQLClient, url: str, token: str) -> tuple[str, str]:
    response = await client.http.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace(NBSP, " ").replace(THIN_NBSP, " ")
    return " ".join(text.split()), hashlib.sha256(response.content).hexdigest()


async def _count(session: AsyncSession, model: type[Any]) -> int:
    return int((await session.exec(select(func.count()).select_from(model))).one())


# --- the whole life of a commune's premises lent to an association ---------------------------


async def test_a_communes_premises_are_drafted_edited_accepted_by_both_and_downloaded(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.commune,
        scene.mayor,
        scene.president,
        kind=ListingKind.PREMISES,
        title="Ancienne école Jean-Zay",
        details={},
        address="8 rue des Écoles, 69230 Saint-Génis",
    )

    drafted = await _read(client, exchange_id, scene.volunteer.token)
    assert drafted["kind"] == "OCCUPATION_TEMPORAIRE"
    assert drafted["state"] == "DRAFT"
    assert drafted["missingFields"] == ["use"]  # the product cannot know what the place is for
    assert drafted["pdfUrl"] is None
    assert drafted["current"]["number"] == 1
    assert drafted["current"]["authorName"] is None  # drafted by the product
    assert drafted["terms"]["providerRepresentativeName"] == "Hélène Dupré"  # who accepted
    assert drafted["terms"]["providerRepresentativeRole"] == "responsable"  # an OWNER
    assert drafted["terms"]["beneficiaryRepresentativeName"] == "François Lefèvre"  # who asked
    assert drafted["terms"]["providerAddress"] == "1 place de la Mairie, 69230 Saint-Génis"

    incomplete = await _accept(client, exchange_id, drafted["current"]["id"], scene.mayor.token)
    assert incomplete["__typename"] == "InputError"
    assert incomplete["fields"] == [{"field": "use", "code": "AGREEMENT_FIELD_MISSING"}]
    assert await _count(session, AgreementAcceptance) == 0

    use = "un atelier de réparation ouvert au public"
    edited = await _edit(
        client,
        exchange_id,
        scene.volunteer.token,
        terms={"use": use},
        clauses=[{"title": "Clés", "text": "Deux jeux de clés sont remis à l’Occupant."}],
    )
    v2 = edited["agreement"]["current"]
    assert edited["__typename"] == "AgreementSuccess"
    assert (v2["number"], v2["authorName"]) == (2, "Zoé Martin")
    assert v2["authorOrganization"] == {"name": "Association Œuvre Commune"}
    assert edited["agreement"]["missingFields"] == []
    assert edited["agreement"]["terms"]["use"] == use

    partly = await _accept(client, exchange_id, v2["id"], scene.mayor.token)
    assert partly["agreement"]["state"] == "PARTLY_ACCEPTED"
    assert partly["agreement"]["viewerCanAccept"] is False  # the commune's side is done
    again = await _accept(client, exchange_id, v2["id"], scene.mayor.token)
    assert (again["__typename"], again["code"]) == ("ConflictError", "AGREEMENT_ALREADY_ACCEPTED")

    # The association edits after the commune accepted: the commune's acceptance stops counting.
    reopened = await _edit(client, exchange_id, scene.president.token, terms={"insurance": "MAIF"})
    v3 = reopened["agreement"]["current"]
    assert reopened["agreement"]["state"] == "DRAFT"
    assert v3["acceptances"] == []
    assert reopened["agreement"]["versions"][1] == {
        "number": 2,
        "acceptances": [{"organization": {"name": "Commune de Saint-Génis"}}],
    }
    stale = await _accept(client, exchange_id, v2["id"], scene.president.token)
    assert (stale["__typename"], stale["code"]) == ("ConflictError", "VERSION_NOT_CURRENT")
    member = await _accept(client, exchange_id, v3["id"], scene.volunteer.token)
    assert (member["__typename"], member["code"]) == ("NotAllowedError", "ADMIN_ROLE_REQUIRED")
    assert (await _read(client, exchange_id, scene.mayor.token))["viewerCanAccept"] is True

    await _accept(client, exchange_id, v3["id"], scene.mayor.token)
    both = await _accept(client, exchange_id, v3["id"], scene.president.token)
    agreement = both["agreement"]
    assert agreement["state"] == "ACCEPTED"
    assert both["exchange"]["id"] == exchange_id
    acceptances = agreement["current"]["acceptances"]
    assert [a["personName"] for a in acceptances] == ["Hélène Dupré", "François Lefèvre"]
    sha = agreement["current"]["pdfSha256"]
    assert {a["pdfSha256"] for a in acceptances} == {sha}

    text, downloaded_sha = await _pdf_text(client, agreement["pdfUrl"], scene.volunteer.token)
    assert downloaded_sha == sha
    for expected in (
        "Convention d’occupation temporaire du domaine public".upper(),
        "Commune de Saint-Génis",
        "SIRET 216 901 230 00014",
        "Association Œuvre Commune",
        "SIRET 901 234 567 00028",
        "Hélène Dupré",
        "du 11 janvier 2027 au 26 février 2027",
        "L2122-1",
        "L2125-1",  # free: the occupation for a non-profit general-interest use
        use,
        "Clés",
        "Assurance déclarée : MAIF",
        "Ancienne école Jean-Zay",
    ):
        assert expected in text, (expected, text)
    response = await client.http.get(
        agreement["pdfUrl"], headers={"Authorization": f"Bearer {scene.mayor.token}"}
    )
    disposition = response.headers["content-disposition"]
    assert (
        disposition
        == f'attachment; filename="EL-{date.today().year}-{_pk(exchange_id):04d}-v3.pdf"'
    )


def _pk(global_id: str) -> int:
    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


# --- the five kinds ----------------------------------------------------------------------------


KINDS = {
    "private free premises": (
        {"kind": ListingKind.PREMISES, "title": "Atelier partagé", "details": {}},
        "PRET_A_USAGE",
        {},
        ("Convention de prêt à usage".upper(), "articles 1875 à 1891", "à titre gratuit"),
    ),
    "private paid premises": (
        {
            "kind": ListingKind.PREMISES,
            "title": "Local d’activité",
            "details": {},
            "price_eur": Decimal("200"),
        },
        "OCCUPATION_PRECAIRE",
        {"use": "le stockage de matériaux", "circumstances": "le bâtiment sera réhabilité"},
        ("L145-5-1", "200,00 €", "le bâtiment sera réhabilité"),
    ),
    "equipment": (
        {"kind": ListingKind.EQUIPMENT, "title": "Découpeuse laser Trotec Speedy 400"},
        "PRET_A_USAGE",
        {"objectValue": "15 000,00 €", "deposit": "1 500,00 €"},
        ("Découpeuse laser Trotec Speedy 400", "15 000,00 €", "1880"),
    ),
    "skill": (
        {"kind": ListingKind.SKILL, "title": "Animation d’ateliers numériques", "details": {}},
        "MISE_A_DISPOSITION",
        {"personName": "Amélie Nguyen", "personRole": "médiatrice", "schedule": "les mardis"},
        ("Convention de mise à disposition".upper(), "Amélie Nguyen", "L8241-2", "les mardis"),
    ),
    "material donation": (
        {
            "kind": ListingKind.MATERIAL,
            "title": "Planches de chêne",
            "details": {"quantity": 100, "unit": "unit"},
            "quantity_remaining": Decimal(100),
        },
        "ATTESTATION_DON",
        {},
        ("Attestation de don".upper(), "Planches de chêne", "42", "unités", "894"),
    ),
}


@pytest.mark.parametrize("case", list(KINDS))
async def test_each_kind_is_drafted_from_a_real_exchange_and_its_pdf_read_back(
    case: str, client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    listing, kind, terms, expected = KINDS[case]
    exchange_id = await _accepted_exchange(
        client, session, scene.association, scene.president, scene.mayor, **listing
    )

    drafted = await _read(client, exchange_id, scene.mayor.token)
    edited = await _edit(client, exchange_id, scene.mayor.token, terms=terms)

    assert drafted["kind"] == kind
    agreement = edited["agreement"]
    assert agreement["missingFields"] == [], agreement
    text, sha = await _pdf_text(client, agreement["pdfUrl"], scene.president.token)
    assert sha == agreement["current"]["pdfSha256"]
    parties = ("Association Œuvre Commune", "SIRET 901 234 567 00028", "Commune de Saint-Génis")
    for phrase in (*parties, "SIRET 216 901 230 00014", *expected):
        assert phrase in text, (phrase, text)
    if kind != "ATTESTATION_DON":
        assert "11 janvier 2027" in text
        assert "26 février 2027" in text


async def test_a_request_listing_makes_the_requester_the_provider(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    """The commune asks for a laser cutter; the association lends one: it is the lender."""
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.commune,
        scene.mayor,
        scene.president,
        kind=ListingKind.EQUIPMENT,
        title="Cherche découpeuse laser",
        direction=Direction.REQUEST,
    )

    agreement = await _read(client, exchange_id, scene.mayor.token)

    assert agreement["kind"] == "PRET_A_USAGE"
    assert agreement["terms"]["providerRepresentativeName"] == "François Lefèvre"
    assert agreement["terms"]["providerAddress"] == "3 place Gambetta, 42000 Saint-Étienne"


# --- who may -------------------------------------------------------------------------------------


async def test_a_third_party_gets_not_found_in_graphql_and_404_for_the_pdf(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.association,
        scene.president,
        scene.mayor,
        kind=ListingKind.EQUIPMENT,
        title="Perceuse",
    )
    agreement = (await _edit(client, exchange_id, scene.mayor.token, terms={}))["agreement"]
    assert agreement["pdfUrl"] is not None
    versions = await _count(session, AgreementVersion)

    seen = (await client.execute(READ, {"id": exchange_id}, scene.stranger.token))["node"]
    edit = await _edit(client, exchange_id, scene.stranger.token, terms={"insurance": "x"})
    accept = await _accept(client, exchange_id, agreement["current"]["id"], scene.stranger.token)
    pdf = await client.http.get(
        agreement["pdfUrl"], headers={"Authorization": f"Bearer {scene.stranger.token}"}
    )
    anonymous = await client.http.get(agreement["pdfUrl"])
    unknown = await client.http.get(
        "/agreements/999999.pdf", headers={"Authorization": f"Bearer {scene.mayor.token}"}
    )

    assert seen is None
    assert (edit["__typename"], edit["code"]) == ("NotFoundError", "EXCHANGE_NOT_FOUND")
    assert (accept["__typename"], accept["code"]) == ("NotFoundError", "EXCHANGE_NOT_FOUND")
    assert (pdf.status_code, anonymous.status_code, unknown.status_code) == (404, 404, 404)
    assert await _count(session, AgreementVersion) == versions


async def test_an_incomplete_version_has_no_pdf(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.commune,
        scene.mayor,
        scene.president,
        kind=ListingKind.PREMISES,
        title="Salle des fêtes",
        details={},
    )
    agreement = await _read(client, exchange_id, scene.mayor.token)
    version = (await session.exec(select(AgreementVersion))).one()

    response = await client.http.get(
        f"/agreements/{version.id}.pdf", headers={"Authorization": f"Bearer {scene.mayor.token}"}
    )

    assert agreement["missingFields"] == ["use"]
    assert agreement["current"]["pdfSha256"] is None
    assert response.status_code == 404


async def test_an_exchange_accepted_before_agreements_gets_one_on_its_first_edit(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.association,
        scene.president,
        scene.mayor,
        kind=ListingKind.EQUIPMENT,
        title="Scie circulaire",
    )
    for table in (AgreementVersion, Agreement):  # as if accepted before this change
        await session.exec(delete(table))
    await session.commit()

    before = (await client.execute(READ, {"id": exchange_id}, scene.mayor.token))["node"]
    edited = await _edit(client, exchange_id, scene.mayor.token, terms={"insurance": "MAIF"})

    assert before == {"agreement": None}  # a read drafts nothing
    assert edited["agreement"]["current"]["number"] == 2  # version 1 drafted, then the edit
    assert edited["agreement"]["kind"] == "PRET_A_USAGE"


# --- bad input -------------------------------------------------------------------------------


async def test_bad_edits_are_refused_by_field_and_write_nothing(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.commune,
        scene.mayor,
        scene.president,
        kind=ListingKind.PREMISES,
        title="Gymnase",
        details={},
    )
    versions = await _count(session, AgreementVersion)

    long_clause = await _edit(
        client,
        exchange_id,
        scene.president.token,
        clauses=[{"title": "Horaires", "text": "x" * 10_001}],
    )
    emptied = await _edit(
        client,
        exchange_id,
        scene.president.token,
        terms={"providerRepresentativeName": "", "use": " "},
    )
    too_many = await _edit(
        client,
        exchange_id,
        scene.president.token,
        clauses=[{"title": "T", "text": "t"}] * 31,
    )
    long_term = await _edit(client, exchange_id, scene.president.token, terms={"use": "u" * 1001})

    assert long_clause["fields"] == [{"field": "clauses.0.text", "code": "TOO_LONG"}]
    assert emptied["fields"] == [
        {"field": "terms.providerRepresentativeName", "code": "TERM_REQUIRED"},
        {"field": "terms.use", "code": "TERM_REQUIRED"},
    ]
    assert too_many["fields"] == [{"field": "clauses", "code": "TOO_MANY_ITEMS"}]
    assert long_term["fields"] == [{"field": "terms.use", "code": "TOO_LONG"}]
    assert await _count(session, AgreementVersion) == versions


async def test_an_exchange_not_yet_accepted_has_no_agreement(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    row = await make_listing(session, scene.association, title="Ponceuse")
    await session.commit()
    variables = {
        "input": {
            "listingId": to_global_id("Listing", row.id or 0),
            "startsAt": "2027-01-11T08:00:00+00:00",
            "endsAt": "2027-01-12T08:00:00+00:00",
        }
    }
    made = (await client.execute(REQUEST, variables, scene.mayor.token))["exchangeRequest"]
    exchange_id = made["exchange"]["id"]

    node = (await client.execute(READ, {"id": exchange_id}, scene.mayor.token))["node"]
    edit = await _edit(client, exchange_id, scene.mayor.token, terms={"insurance": "MAIF"})

    assert node == {"agreement": None}
    assert (edit["__typename"], edit["code"]) == ("NotFoundError", "AGREEMENT_NOT_FOUND")
    assert await _count(session, Agreement) == 0


# --- French formatting -----------------------------------------------------------------------


def test_dates_are_paris_days_in_french() -> None:
    assert french_date(date(2027, 1, 11)) == "11 janvier 2027"
    assert french_date(date(2027, 3, 1)) == "1er mars 2027"
    assert french_date(datetime(2027, 8, 14, 23, 30, tzinfo=UTC)) == "15 août 2027"  # Paris
    assert french_date(datetime(2027, 12, 31, 22, 59)) == "31 décembre 2027"  # naive: UTC


def test_amounts_and_numbers_are_written_the_french_way() -> None:
    assert euros(Decimal("200")) == f"200,00{NBSP}€"
    assert euros(Decimal("15000")) == f"15{THIN_NBSP}000,00{NBSP}€"
    assert euros(1234567.891) == f"1{THIN_NBSP}234{THIN_NBSP}567,89{NBSP}€"
    assert french_number(Decimal("2.500")) == "2,5"
    assert french_number(Decimal("42.000")) == "42"
    assert french_number(Decimal("1234.5")) == f"1{THIN_NBSP}234,5"


def test_a_siret_is_grouped_by_three_then_five() -> None:
    assert siret_text("12345678900012") == NBSP.join(("123", "456", "789", "00012"))
    assert siret_text(None) == ""


def test_the_public_sector_drives_the_premises_kind() -> None:
    assert kind_for(ListingKind.PREMISES, Sector.PUBLIC, True).name == "OCCUPATION_TEMPORAIRE"


async def test_the_handover_clause_quotes_the_start_note_and_the_handover_photos(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.association,
        scene.president,
        scene.mayor,
        kind=ListingKind.EQUIPMENT,
        title="Découpeuse vinyle",
    )
    drafted = await _read(client, exchange_id, scene.mayor.token)
    start = 'mutation($id: ID!) { exchangeStart(id: $id, note: "Lame neuve") { __typename } }'
    await client.execute(start, {"id": exchange_id}, scene.president.token)
    session.add(
        Photo(
            exchange_id=_pk(exchange_id),
            stage=PhotoStage.HANDOVER,
            alt="Capot rayé de 3 cm",
            key=f"photos/{'a' * 32}",
            width=320,
            height=240,
            widths=[320],
            source_format="JPEG",
        )
    )
    await session.commit()

    edited = (await _edit(client, exchange_id, scene.mayor.token, terms={}))["agreement"]
    text, _ = await _pdf_text(client, edited["pdfUrl"], scene.mayor.token)

    assert drafted["pdfUrl"] is not None
    first, _ = await _pdf_text(client, drafted["pdfUrl"], scene.mayor.token)
    assert "sera constaté contradictoirement lors de la remise" in first
    assert "Lame neuve. Photos : Capot rayé de 3 cm." in text, text


async def test_a_page_of_exchanges_with_their_agreements_costs_a_constant_number_of_statements(
    client: GraphQLClient, session: AsyncSession, scene: Scene, statements: Any
) -> None:
    for index in range(6):
        listing = await make_listing(session, scene.association, title=f"Outil {index}")
        exchange = await make_exchange(session, listing, scene.commune, ExchangeState.ACCEPTED)
        await draft_agreement(session, exchange)
    await session.commit()
    query = """query($n: Int!) { exchanges(first: $n) { edges { node { agreement {
        state missingFields terms { use } viewerCanAccept current { number }
        versions { authorName authorOrganization { name } clauses { title }
                   acceptances { personName organization { name } } } } } } } }"""

    await client.execute(query, {"n": 1}, scene.mayor.token)  # the token's first use is noted
    counts = []
    for size in (2, 6):
        before = statements.total
        data = await client.execute(query, {"n": size}, scene.mayor.token)
        counts.append(statements.total - before)
        assert len(data["exchanges"]["edges"]) == size

    assert counts[0] == counts[1]


async def test_an_agreement_is_a_node_only_the_parties_refetch(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.association,
        scene.president,
        scene.mayor,
        kind=ListingKind.EQUIPMENT,
        title="Imprimante 3D",
    )
    agreement_id = (await _read(client, exchange_id, scene.mayor.token))["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Agreement { kind state } } }"

    party = (await client.execute(query, {"id": agreement_id}, scene.volunteer.token))["node"]
    stranger = (await client.execute(query, {"id": agreement_id}, scene.stranger.token))["node"]

    assert party == {"kind": "PRET_A_USAGE", "state": "DRAFT"}
    assert stranger is None


async def test_a_missing_siret_is_reported_and_read_again_on_the_next_edit(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    collective = await make_organization(session, "Collectif sans SIRET")
    admin = await make_member(session, collective, Role.ADMIN)
    await session.commit()
    exchange_id = await _accepted_exchange(
        client,
        session,
        scene.association,
        scene.president,
        admin,
        kind=ListingKind.EQUIPMENT,
        title="Visseuse",
    )
    drafted = await _read(client, exchange_id, admin.token)

    collective.siret = "80295478500028"  # the collective registers with INSEE
    session.add(collective)
    await session.commit()
    edited = (await _edit(client, exchange_id, admin.token))["agreement"]

    assert "beneficiary.siret" in drafted["missingFields"]
    assert "beneficiary.siret" not in edited["missingFields"]


async def test_a_skill_session_without_dates_gets_its_period_from_the_parties(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    """A session booked in hours has no dates: the period is missing until a side writes it."""
    row = await make_listing(
        session, scene.association, kind=ListingKind.SKILL, title="Atelier soudure", details={}
    )
    await session.commit()
    request = {"listingId": to_global_id("Listing", row.id or 0), "hours": 3}
    made = (await client.execute(REQUEST, {"input": request}, scene.mayor.token))["exchangeRequest"]
    assert made["__typename"] == "ExchangeChangeSuccess", made
    exchange_id = made["exchange"]["id"]
    accepted = await client.execute(ACCEPT_EXCHANGE, {"id": exchange_id}, scene.president.token)
    assert accepted["exchangeAccept"]["__typename"] == "ExchangeChangeSuccess", accepted

    drafted = await _read(client, exchange_id, scene.mayor.token)
    terms = {
        "periodStart": "3 mars 2027",
        "periodEnd": "4 mars 2027",
        "personName": "Jules Ferrand",
        "personRole": "soudeur",
        "schedule": "de 9 h à 12 h",
    }
    edited = (await _edit(client, exchange_id, scene.mayor.token, terms=terms))["agreement"]
    cleared = await _edit(client, exchange_id, scene.mayor.token, terms={"periodStart": ""})

    assert {"period.start", "period.end"} <= set(drafted["missingFields"])
    assert edited["missingFields"] == []
    text, _ = await _pdf_text(client, edited["pdfUrl"], scene.president.token)
    assert "3 mars 2027" in text
    assert "4 mars 2027" in text
    assert cleared["fields"] == [{"field": "terms.periodStart", "code": "TERM_REQUIRED"}]


async def test_the_pdf_accepted_is_kept_even_if_its_template_changes_later(
    client: GraphQLClient, session: AsyncSession, scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a side signed stays what it downloads: the accepted PDF is kept with its version,
    so a template edited afterwards (here: a renderer giving other bytes) changes nothing."""
    exchange_id = await _accepted_exchange(
        client, session, scene.association, scene.president, scene.mayor, title="Scie à onglet"
    )
    current = (await _read(client, exchange_id, scene.mayor.token))["current"]
    accepted = await _accept(client, exchange_id, current["id"], scene.president.token)
    assert accepted["__typename"] == "AgreementSuccess", accepted
    signed = accepted["agreement"]["current"]["acceptances"][0]["pdfSha256"]

    monkeypatch.setattr(agreements_service, "render", lambda *_: b"%PDF-1.7 another template")
    _, downloaded = await _pdf_text(client, current["pdfUrl"], scene.mayor.token)
    second = await _accept(client, exchange_id, current["id"], scene.mayor.token)

    assert downloaded == signed
    assert second["__typename"] == "AgreementSuccess", second
    both = second["agreement"]["current"]["acceptances"]
    assert [a["pdfSha256"] for a in both] == [signed, signed]
    assert second["agreement"]["state"] == "ACCEPTED"


async def test_the_other_side_is_told_of_each_new_version_and_each_acceptance(
    client: GraphQLClient, session: AsyncSession, scene: Scene
) -> None:
    """An edit or an acceptance is for the other side to answer: its members are notified."""
    exchange_id = await _accepted_exchange(
        client, session, scene.association, scene.president, scene.mayor, title="Ponceuse"
    )
    mayor, president = scene.mayor.person.id or 0, scene.president.person.id or 0
    commune_people = {mayor, scene.agent.person.id}
    association_people = {president, scene.volunteer.person.id}

    async def notified(kind: NotificationKind) -> dict[int, str]:
        session.expire_all()
        query = select(Notification).where(Notification.kind == kind)
        return {n.person_id: n.body for n in (await session.exec(query)).all()}

    edited = await _edit(client, exchange_id, scene.mayor.token, terms={"insurance": "MAIF"})
    after_edit = await notified(NotificationKind.AGREEMENT_EDITED)
    version = edited["agreement"]["current"]["id"]
    await _accept(client, exchange_id, version, scene.president.token)
    after_one = await notified(NotificationKind.AGREEMENT_ACCEPTED)
    await _accept(client, exchange_id, version, scene.mayor.token)
    after_both = await notified(NotificationKind.AGREEMENT_ACCEPTED)

    assert set(after_edit) == association_people  # the commune edited: the association reads
    assert "Version 2" in after_edit[president]
    assert set(after_one) == commune_people  # the association accepted: the commune's turn
    assert "à votre tour" in after_one[mayor]
    assert set(after_both) == commune_people | association_people
    assert "Les deux parties" in after_both[president]
