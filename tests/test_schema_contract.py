"""The committed SDL is the API reference: it must match the code, and document everything."""

from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from core.settings import Settings
from schema.build import build_schema, print_sdl

SNAPSHOT = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID", "Date", "DateTime", "Decimal"}


def test_the_committed_sdl_matches_the_schema() -> None:
    assert print_sdl(Settings()) == SNAPSHOT.read_text(encoding="utf-8"), (
        "The GraphQL schema changed: review the change, then run `make schema`."
    )


def test_every_type_field_and_argument_has_a_description() -> None:
    schema = build_schema(Settings())._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for argument, definition in getattr(field, "args", {}).items():
                    if not definition.description:
                        missing.append(f"{name}.{field_name}({argument})")

    assert missing == []


def test_the_contract_names_exist() -> None:
    sdl = SNAPSHOT.read_text(encoding="utf-8")
    for name in (
        "node(",
        "spaces(",
        "space(",
        "organizations(",
        "organization(",
        "listings(",
        "listing(",
        "organizationCreate(",
        "spaceCreate(",
        "spaceUpdate(",
        "listingPublish(",
        "listingUpdate(",
        "listingWithdraw(",
        "union ListingDetails",
        "alertCreate(",
        "alertDelete(",
        "alerts(",
        "notifications(",
        "union AlertCreateResult = AlertCreateSuccess | InputError",
        "union AlertDeleteResult = AlertDeleteSuccess | NotFoundError",
        "me:",
        "organizationInvite(",
        "membershipRequest(",
        "membershipAccept(",
        "membershipRoleChange(",
        "membershipRevoke(",
        "tokenCreate(",
        "tokenRevoke(",
    ):
        assert name in sdl, name
