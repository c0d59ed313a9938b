"""The `entrelieux` command, run as a subprocess against a fresh SQLite file.

These tests always use SQLite, even when TEST_DATABASE_URL names PostgreSQL: they check the
command line (arguments, output, exit status), and the importers themselves are tested on both
databases. One migrated file is shared by the module: `migrate` loads 35,000 communes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from core.settings import DEFAULT_DATA_DIR, Settings
from tests.directory_rows import cut, needs_shared_data
from tests.serve_process import run_cli

EXAMPLES = DEFAULT_DATA_DIR / "examples"

PUBLISH = """
mutation($input: ListingPublishInput!) {
  listingPublish(input: $input) {
    __typename
    ... on ListingSuccess { listing { ref organization { name } } }
  }
}
"""


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cli")
    url = f"sqlite+aiosqlite:///{folder / 'cli.sqlite3'}"
    migrated = run_cli(url, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "35014 communes" in migrated.stderr
    return url


def test_import_spaces_prints_the_summary_and_exits_0(database_url: str, tmp_path: Path) -> None:
    census = (DEFAULT_DATA_DIR / "mission_coworking_2019.csv").read_text(encoding="utf-8")
    path = tmp_path / "census.csv"  # the first 20 places: the whole file is tested elsewhere
    path.write_text("\n".join(census.splitlines()[:21]) + "\n", encoding="utf-8")

    result = run_cli(database_url, "import", "spaces", str(path))

    assert (result.returncode, result.stdout) == (
        0,
        "20 rows: 0 merged, 20 new, 0 updated, 0 rejected\n",
    )


@needs_shared_data
def test_import_spaces_from_another_source_merges_and_names_its_bad_rows(
    database_url: str, tmp_path: Path
) -> None:
    census = cut("mission_coworking", tmp_path, "ID", ["577"])  # Mutinerie, Paris 19e
    idf = cut("idf_coworkings", tmp_path, "name", ["Mutinerie", "La Ruche"])
    with idf.open("a", encoding="utf-8") as handle:
        handle.write('Sans position,"1 rue, 75011 Paris",75011,Paris,,48.86,\n')

    first = run_cli(database_url, "import", "spaces", str(census))
    second = run_cli(
        database_url,
        "import",
        "spaces",
        "--source",
        "idf_coworkings",
        "--date",
        "2025-05-23",
        str(idf),
    )
    unknown = run_cli(database_url, "import", "spaces", "--source", "nowhere", str(idf))

    assert first.returncode == 0, first.stderr
    assert (second.returncode, second.stdout) == (
        1,
        "3 rows: 1 merged, 1 new, 0 updated, 1 rejected\n",
    )
    assert second.stderr == "line 4: lat/lon: not numbers\n"
    assert unknown.returncode == 2
    assert "invalid choice: 'nowhere'" in unknown.stderr


def test_import_listings_of_a_clean_file_exits_0(database_url: str) -> None:
    result = run_cli(
        database_url, "import", "listings", str(EXAMPLES / "premises_cartofriches.csv")
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "15 imported, 0 updated, 0 rejected\n"
    assert result.stderr == ""


def test_import_listings_with_rejected_rows_exits_1_and_names_them(
    database_url: str, tmp_path: Path
) -> None:
    rows = [
        {"ref": "cli:ok", "direction": "OFFER", "kind": "SKILL", "title": "Animation d'ateliers"},
        {
            "ref": "cli:bad",
            "direction": "OFFER",
            "kind": "SKILL",
            "title": "Dates inversées",
            "available_from": "2026-05-01",
            "available_until": "2026-04-01",
        },
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    result = run_cli(
        database_url, "import", "listings", str(path), "--organization", "Atelier de la CLI"
    )

    assert result.returncode == 1
    assert result.stderr == "line 2: available_until: is before available_from\n"
    assert result.stdout == "1 imported, 0 updated, 1 rejected\n"


def test_import_of_a_missing_file_exits_2(database_url: str, tmp_path: Path) -> None:
    result = run_cli(database_url, "import", "listings", str(tmp_path / "absent.jsonl"))

    assert result.returncode == 2
    assert "no such file" in result.stderr


@pytest.fixture(scope="module")
def token(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A token made by `token create` for an organization an import created."""
    path = tmp_path_factory.mktemp("token") / "lab.jsonl"
    row = {
        "ref": "cli:token-lab",
        "direction": "OFFER",
        "kind": "EQUIPMENT",
        "title": "Découpeuse laser",
        "organization": "Fablab de la CLI",
        "commune": "Guéret",
    }
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run_cli(database_url, "import", "listings", str(path)).returncode == 0
    result = run_cli(
        database_url,
        "token",
        "create",
        "--email",
        "gestion@fablab.example",
        "--organization",
        "Fablab de la CLI",
        "--name",
        "tests",
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
async def http(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(environment="test", database_url=database_url, search_enabled=False)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.database.dispose()


async def test_token_create_prints_only_a_token_that_acts_for_the_organization(
    token: str, http: httpx.AsyncClient
) -> None:
    secret = token.removesuffix("\n")
    assert token.count("\n") == 1
    assert secret.startswith("elx_")
    variables = {
        "input": {
            "direction": "REQUEST",
            "kind": "MATERIAL",
            "title": "Recherche chutes de contreplaqué",
            "details": {"material": {"quantity": 5, "unit": "m2"}},
        }
    }

    response = await http.post(
        "/graphql",
        json={"query": PUBLISH, "variables": variables},
        headers={"Authorization": f"Bearer {secret}"},
    )
    refused = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer elx_nope"}
    )

    assert response.status_code == 200, response.text
    result = response.json()["data"]["listingPublish"]
    assert result["__typename"] == "ListingSuccess", result
    assert result["listing"]["organization"] == {"name": "Fablab de la CLI"}
    assert refused.status_code == 401


def test_token_create_for_an_unknown_siret_exits_1_and_prints_no_token(database_url: str) -> None:
    result = run_cli(
        database_url,
        "token",
        "create",
        "--email",
        "x@example.org",
        "--organization",
        "90123456700021",
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert "90123456700021" in result.stderr


NETWORK = "Réseau de la CLI (test)"


@pytest.fixture(scope="module")
def network(database_url: str) -> str:
    """A RESEAU organization `token create` brings in."""
    result = run_cli(
        database_url,
        "token",
        "create",
        "--email",
        "coordination@reseau.example",
        "--organization",
        NETWORK,
        "--kind",
        "RESEAU",
    )
    assert result.returncode == 0, result.stderr
    return NETWORK


def test_network_area_add_is_idempotent_lists_and_removes(database_url: str, network: str) -> None:
    area = ("--network", network, "--level", "REGION", "--code", "52")
    added = run_cli(database_url, "network", "area", "add", *area)
    again = run_cli(database_url, "network", "area", "add", *area)
    epci = run_cli(
        database_url, "network", "area", "add", "--network", network, "--level", "EPCI",
        "--code", "244400404",
    )  # fmt: skip
    listed = run_cli(database_url, "network", "area", "list", "--network", network)
    removed = run_cli(database_url, "network", "area", "remove", *area)
    after = run_cli(database_url, "network", "area", "list")

    assert (added.returncode, again.returncode, epci.returncode) == (0, 0, 0), epci.stderr
    assert "REGION 52 added" in added.stdout
    assert "already covered" in again.stdout
    assert listed.stdout.splitlines() == [
        f"{network}\tEPCI\t244400404\tNantes Métropole",
        f"{network}\tREGION\t52\tPays de la Loire",
    ]
    assert removed.returncode == 0
    assert "removed" in removed.stdout
    assert after.stdout.splitlines() == [f"{network}\tEPCI\t244400404\tNantes Métropole"]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (("--network", "Nobody (test)", "--level", "REGION", "--code", "52"), "network:"),
        (("--network", "Fablab de la CLI", "--level", "REGION", "--code", "52"), "not RESEAU"),
        (("--network", NETWORK, "--level", "COMMUNE", "--code", "99999"), "code: '99999'"),
        (("--network", NETWORK, "--level", "EPCI", "--code", "123456789"), "code: '123456789'"),
        (("--network", NETWORK, "--level", "DEPARTMENT", "--code", "20"), "code: '20'"),
        (("--network", NETWORK, "--level", "REGION", "--code", "99"), "code: '99'"),
        (("--network", NETWORK, "--level", "COUNTRY", "--code", "BE"), "code: 'BE'"),
        (("--network", NETWORK, "--level", "CANTON", "--code", "1"), "--level"),
    ],
)
def test_network_area_add_refuses_a_bad_argument_with_exit_2(
    database_url: str, network: str, token: str, arguments: tuple[str, ...], named: str
) -> None:
    result = run_cli(database_url, "network", "area", "add", *arguments)

    assert result.returncode == 2, result.stdout
    assert named in result.stderr
    assert result.stdout == ""


def test_import_listings_takes_a_request_whose_quantity_is_empty_not_such_an_offer(
    database_url: str, tmp_path: Path
) -> None:
    header = "ref;direction;kind;title;details"
    rows = [
        'cli:req;REQUEST;MATERIAL;Cherche tuiles;"{""quantity"": null, ""unit"": """"}"',
        'cli:offer;OFFER;MATERIAL;Tuiles de réemploi;"{""quantity"": """"}"',
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    result = run_cli(
        database_url, "import", "listings", str(path), "--organization", "Chantier de la CLI"
    )

    assert result.stderr == "line 3: details.quantity: Field required\n"
    assert result.stdout == "1 imported, 0 updated, 1 rejected\n"
    assert result.returncode == 1
