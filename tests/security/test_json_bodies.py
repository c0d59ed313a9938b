"""Bodies that are not the JSON the API reads: a 400 with a JSON error, fast, and nothing logged.

A body nested 50,000 deep was a plain-text 500 (or a reset connection) and a 3.9 KB traceback
in the log each time: 31 MB of log in 30 s.
"""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from tests.graphql import GraphQLClient

DEEP = b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"


def _nested(levels: int) -> bytes:
    """A request whose variables nest `levels` arrays deep (the body is 2 levels more)."""
    return (
        b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * levels + b"]" * levels + b"}}"
    )


async def _post(client: GraphQLClient, body: bytes, content_type: str) -> httpx.Response:
    return await client.http.post("/graphql", content=body, headers={"content-type": content_type})


def _assert_refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["BAD_REQUEST"], errors
    assert words in errors[0]["message"], errors


async def test_a_body_nested_50000_deep_is_a_fast_400_and_logs_nothing(
    client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await client.execute("{ __typename }")  # the app's first request warms what it builds once
    started = time.process_time()
    response = await _post(client, DEEP, "application/json")
    spent = time.process_time() - started
    _assert_refused(response, "deeper than 64 levels")
    assert spent < 0.05, f"{spent * 1000:.1f} ms of CPU"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(("levels", "refused"), [(62, False), (63, True), (900, True)])
async def test_the_nesting_limit_counts_levels(
    client: GraphQLClient, levels: int, refused: bool
) -> None:
    """The limit is 64 (`GRAPHQL_MAX_JSON_DEPTH`): a body under Python's recursion limit but
    deeper than 64 is refused as well, before any variable is coerced."""
    response = await _post(client, _nested(levels), "application/json")
    if refused:
        _assert_refused(response, "deeper than 64 levels")
    else:
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"query": "{ __typename ', "not valid JSON"),
        (b'{"query": "\xff\xfe"}', "not valid UTF-8"),
        (b'{"query": "{ __typename }", "variables": {"v": NaN}}', "NaN is not a JSON number"),
        (b'{"query": "{ __typename }", "variables": {"v": -Infinity}}', "not a JSON number"),
        (b'{"query": "{ __typename }", "variables": {"v": 1e400}}', "too large"),
        (b'{"query": "{ __typename }", "variables": {"v": ' + b"9" * 5000 + b"}}", "too large"),
        (b'{"query": "{ __typename }", "variables": {"v": -' + b"9" * 21 + b"}}", "too large"),
        (b'{"query": 12}', "must be a string"),
    ],
    ids=[
        "truncated",
        "latin-1",
        "NaN",
        "-Infinity",
        "1e400",
        "5000 digits",
        "21 digits",
        "query not a string",
    ],
)
async def test_a_body_that_is_not_json_is_a_400_in_json(
    client: GraphQLClient, caplog: pytest.LogCaptureFixture, body: bytes, words: str
) -> None:
    _assert_refused(await _post(client, body, "application/json"), words)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_wrong_content_type_is_a_400_in_json(client: GraphQLClient) -> None:
    _assert_refused(await _post(client, b"{ __typename }", "text/plain"), "content type")


@pytest.mark.parametrize("part", ["operations", "map"])
async def test_the_multipart_fields_are_read_with_the_same_limit(
    client: GraphQLClient, caplog: pytest.LogCaptureFixture, part: str
) -> None:
    fields = {"operations": '{"query": "{ __typename }"}', "map": "{}"}
    fields[part] = "[" * 50_000 + "]" * 50_000
    response = await client.http.post(
        "/graphql",
        data=fields,
        files={"0": ("a.txt", b"x", "text/plain")},
        headers={"Entrelieux-Upload": "1"},
    )
    _assert_refused(response, "deeper than 64 levels")
    assert "Traceback" not in caplog.text
