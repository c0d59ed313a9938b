from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import OutboxEvent
from core.models.base import utcnow
from tests.factories import make_listing, make_organization
from tests.graphql import GraphQLClient

STATUS = "{ searchStatus { indexing pending } }"


async def test_healthz_answers_when_the_database_does(client: GraphQLClient) -> None:
    response = await client.http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "index": "caught_up",
        "pending": 0,
        # No Meilisearch in this app (the lifespan that starts one does not run here).
        "search": "unreachable",
        "relay": {"pending": 0, "oldest_pending_seconds": 0.0},
    }


async def test_healthz_and_search_status_say_the_index_is_catching_up_until_the_outbox_is_drained(
    client: GraphQLClient, session: AsyncSession
) -> None:
    organization = await make_organization(session)
    await make_listing(session, organization)
    await make_listing(session, organization)
    await session.commit()

    behind = await client.http.get("/healthz")
    probe = await client.http.get("/healthz?ready")
    status = await client.execute(STATUS)

    assert behind.status_code == 200
    assert behind.json()["index"] == "catching_up"
    assert behind.json()["pending"] >= 2
    assert probe.status_code == 503
    assert status["searchStatus"]["indexing"] is True
    assert status["searchStatus"]["pending"] == behind.json()["pending"]

    # When: the relay has applied every event (marked as the relay marks them).
    for event in (await session.exec(select(OutboxEvent))).all():
        event.processed_at = utcnow()
    await session.commit()

    caught_up = await client.http.get("/healthz?ready")
    assert caught_up.status_code == 200
    assert caught_up.json()["index"] == "caught_up"
    assert (await client.execute(STATUS))["searchStatus"] == {"indexing": False, "pending": 0}


async def test_graphiql_is_served_in_development_only(settings, database) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from api.app import create_app

    async def page(environment: str) -> httpx.Response:
        app = create_app(settings.model_copy(update={"environment": environment}), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get("/graphql", headers={"Accept": "text/html"})

    development = await page("development")
    test = await page("test")

    assert development.status_code == 200
    assert "graphiql" in development.text.lower()
    assert test.status_code != 200 or "graphiql" not in test.text.lower()


async def test_the_signin_page_lists_the_demo_accounts_in_development_only(
    settings, database
) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from api.app import create_app

    async def page(environment: str) -> httpx.Response:
        app = create_app(settings.model_copy(update={"environment": environment}), database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            return await http.get("/auth/signin")

    development, test = await page("development"), await page("test")

    assert development.status_code == test.status_code == 200
    assert 'lang="fr"' in development.text
    assert "agent-montreuil" in development.text
    assert "agent-montreuil" not in test.text
