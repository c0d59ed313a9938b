"""Each mutation's result union lists the errors it can return, and only those.

The lists below were read off the service code paths; a change to one is a change of the API
contract, so it must be made here too, on purpose. (Not signed in / not allowed are top-level
errors, except where a union has `NotAllowedError`.)

The web app's documents ask every error through the `Problem` fragment (`... on Error`), so a
union may lose a member it never returns without breaking them.
"""

from graphql import GraphQLNonNull, GraphQLUnionType

from core.settings import Settings
from schema.build import build_schema

EXCHANGE_CHANGE = {"InputError", "NotFoundError", "ConflictError", "NotAllowedError"}

ERRORS_BY_MUTATION: dict[str, set[str]] = {
    "organizationCreate": {"InputError", "ConflictError"},
    "organizationRename": {"InputError", "NotFoundError"},
    "profileUpdate": {"InputError"},
    "spaceCreate": {"InputError", "NotFoundError", "ConflictError"},  # shares SpaceResult
    "spaceUpdate": {"InputError", "NotFoundError", "ConflictError"},
    "spaceClaim": {"InputError", "NotFoundError", "ConflictError"},
    "spaceClaimDecide": {"InputError", "NotFoundError", "ConflictError"},
    "spaceConfirm": {"InputError", "NotFoundError", "ConflictError"},
    "spaceMergeUndo": {"InputError", "NotFoundError", "ConflictError"},
    "listingPublish": {"InputError", "NotFoundError", "ConflictError"},  # shares ListingResult
    "listingUpdate": {"InputError", "NotFoundError", "ConflictError"},
    "listingWithdraw": {"InputError", "NotFoundError", "ConflictError"},
    "listingPublishRecord": {"InputError", "NotFoundError", "ConflictError"},
    "alertCreate": {"InputError", "ConflictError"},
    "alertDelete": {"NotFoundError"},
    "notificationMarkRead": {"NotFoundError"},
    "organizationInvite": {"InputError", "ConflictError"},
    "membershipRequest": {"InputError", "NotFoundError", "ConflictError"},
    "membershipAccept": {"InputError", "NotFoundError", "ConflictError"},
    "membershipRefuse": {"NotFoundError", "ConflictError"},
    "membershipRoleChange": {"InputError", "NotFoundError", "ConflictError"},
    "membershipRevoke": {"NotFoundError", "ConflictError"},
    "trainingRecord": {"InputError", "NotFoundError"},
    "trainingRevoke": {"NotFoundError", "ConflictError"},
    "labRecognitionSet": {"InputError", "NotFoundError"},
    "organizationValidate": {"NotFoundError"},
    "organizationRefuse": {"InputError", "NotFoundError", "ConflictError"},
    "listingReport": {"InputError", "NotFoundError", "ConflictError"},
    "listingHide": EXCHANGE_CHANGE,  # shares ListingModerationResult
    "listingUnhide": EXCHANGE_CHANGE,
    "listingReportDismiss": {"InputError", "NotFoundError", "ConflictError"},
    "tokenCreate": {"InputError", "NotFoundError"},
    "tokenRevoke": {"NotFoundError"},
    "calendarFeedCreate": {"InputError", "NotFoundError"},
    "calendarFeedRevoke": {"NotFoundError"},
    "exchangeRequest": {"InputError", "ConflictError", "NotAllowedError"},
    "exchangeAccept": EXCHANGE_CHANGE,
    "exchangePropose": EXCHANGE_CHANGE,
    "exchangeDecline": EXCHANGE_CHANGE,
    "exchangeCancel": EXCHANGE_CHANGE,
    "exchangeStart": EXCHANGE_CHANGE,
    "exchangeComplete": EXCHANGE_CHANGE,
    "exchangeMessageSend": {"InputError", "NotFoundError", "ConflictError"},
    "listingBlock": {"InputError", "ConflictError"},  # BOOKED_MEANWHILE: a race
    "listingUnblock": {"NotFoundError"},
    "agreementEdit": {"InputError", "NotFoundError", "ConflictError"},  # the contract
    "agreementAccept": EXCHANGE_CHANGE,  # NotAllowedError: a MEMBER of a side
    # One union per subject (ListingPhotoResult…), shared by its mutations.
    **{
        name: {"InputError", "NotFoundError"}
        for name in (
            *("listingPhotoAdd", "listingPhotoUpdate", "listingPhotoMove", "listingPhotoDelete"),
            *("spacePhotoSet", "spacePhotoUpdate", "spacePhotoDelete"),
            *("organizationPhotoSet", "organizationPhotoUpdate", "organizationPhotoDelete"),
        )
    },
    # ExchangePhotoResult: a party may lack the right (NOT_THE_PHOTOS_AUTHOR), or the stage be
    # closed (STAGE_NOT_OPEN).
    **{
        name: EXCHANGE_CHANGE
        for name in ("exchangePhotoAdd", "exchangePhotoUpdate", "exchangePhotoDelete")
    },
    # A malformed organization id is an InputError naming `organizationId`, as labRecognitionSet.
    "passportShare": {"InputError", "NotFoundError"},
}


def _errors_of_each_mutation() -> dict[str, set[str]]:
    mutation = build_schema(Settings())._schema.mutation_type
    assert mutation is not None
    found = {}
    for name, field in mutation.fields.items():
        union = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        assert isinstance(union, GraphQLUnionType), f"{name} returns no result union"
        found[name] = {t.name for t in union.types if not t.name.endswith("Success")}
    return found


def test_each_mutation_returns_the_errors_declared_for_it() -> None:
    assert _errors_of_each_mutation() == ERRORS_BY_MUTATION


def test_every_error_member_implements_the_error_interface() -> None:
    schema = build_schema(Settings())._schema
    error = schema.get_type("Error")
    for names in ERRORS_BY_MUTATION.values():
        for name in names:
            assert schema.is_sub_type(error, schema.get_type(name)), name
