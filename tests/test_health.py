from tests.graphql import GraphQLClient


async def test_healthz_answers_when_the_database_does(client: GraphQLClient) -> None:
    response = await client.http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


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
