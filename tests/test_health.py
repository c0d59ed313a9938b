from tests.graphql import GraphQLClient


async def test_healthz_answers_when_the_database_does(client: GraphQLClient) -> None:
    response = await client.http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
