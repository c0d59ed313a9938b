"""The error codes as GraphQL enums: one per domain enum of `core.error_codes`, of the same name.

No field has these types (`Error.code` and `FieldError.code` are strings, so a new code is never
a breaking change); they are in the schema so its SDL documents every code, each value described
by its English message template, and so the web app's codegen has a TypeScript type for each.
"""

from __future__ import annotations

from strawberry.types.enum import EnumValue, StrawberryEnumDefinition

from core.error_codes import CATALOGUE
from core.errors import ErrorCode

_ABOUT = (
    "Values of `Error.code` and `FieldError.code`, each described by its English message: "
    "`{value}` stands for the number, date, id or text the error is about (a field's "
    "`FieldError.value`), `…` for a part only the message spells out. Also in docs/ERRORS.md."
)


def graphql_enum(codes: type[ErrorCode]) -> StrawberryEnumDefinition:
    """The GraphQL enum of one code enum, without touching the core class."""
    return StrawberryEnumDefinition(
        wrapped_cls=codes,
        name=codes.__name__,
        values=[EnumValue(code.name, code.value, description=code.value) for code in codes],
        description=f"{(codes.__doc__ or '').strip()} {_ABOUT}",
    )


ERROR_CODE_ENUMS = [graphql_enum(codes) for codes in CATALOGUE]
