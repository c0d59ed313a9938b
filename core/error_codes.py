"""The catalogue of error codes, one enum per domain.

A member's name is the code a client reads (`fields[].code`, `code`, `extensions.reason`); names
are unique across every enum, so a code alone says which error it is. Its value is the English
message template and its documentation: `{value}` stands for the number, date, id or text the
error carries (`FieldError.value` in the API); `…` for a part only the message spells out.
"""

from __future__ import annotations

from enum import unique

from core.errors import ErrorCode, InputErrorCode


@unique
class AccountErrorCode(ErrorCode):
    """Signing in, and who a person is."""

    SIGN_IN_REQUIRED = "You must be signed in to do this."
    DISPLAY_NAME_REQUIRED = "give the name you go by (2 to 200 characters)"
    CLAIM_NOT_TEXT = "the claim must be a short text"
    NO_SUBJECT = "the provider sent no subject"
    NOT_AN_EMAIL = "{value} is not an e-mail address"


@unique
class TokenErrorCode(ErrorCode):
    """Personal access tokens."""

    TOKEN_NOT_FOUND = "No token with id {value}."
    EXPIRY_IN_THE_PAST = "must be in the future"


@unique
class IdempotencyErrorCode(ErrorCode):
    """The `idempotencyKey` of creating mutations."""

    BAD_IDEMPOTENCY_KEY = "1 to 100 letters, digits or _ . : -"
    IDEMPOTENCY_KEY_REUSED = (
        "This idempotencyKey was already used with a different input; use a new key."
    )
    IDEMPOTENT_RESULT_GONE = "What this idempotencyKey created is gone; use a new key."


@unique
class OrganizationErrorCode(ErrorCode):
    """Organizations, and acting for one."""

    ORGANIZATION_NOT_FOUND = "No organization with id {value}."
    NOT_A_MEMBER = "You do not act for this organization."
    ADMIN_ROLE_REQUIRED = "This needs the ADMIN or OWNER role in the organization."
    SIRET_TAKEN = "An organization with SIRET {value} already exists."
    UNKNOWN_SIRET = "no organization with SIRET {value}; give its name to create it"
    SIRET_NOT_14_DIGITS = "a SIRET has exactly 14 digits"
    SIRET_CHECK_DIGIT = "the SIRET's check digit is wrong (Luhn)"
    PARENT_NOT_A_NETWORK = "the parent must be a network (RESEAU)"
    COLLECTIVITE_IS_PUBLIC = "a collectivité is a public partner"
    ORGANIZATION_NAME_REQUIRED = "give the organization's name (2 to 200 characters)"
    INDEPENDANT_IS_PRIVATE = "an independent person is a private partner"
    YOUR_NAME_FIRST = "tell us your name first: an independent organization is shown with it"
    SEARCH_TOO_SHORT = "type at least {value} characters"


@unique
class MembershipErrorCode(ErrorCode):
    """Invitations, requests to join, roles."""

    EMAIL_ALREADY_MEMBER = "{value} is already a member of this organization."
    ALREADY_MEMBER = "This person is already a member of the organization."
    INVITATION_NOT_FOUND = "No invitation with this token."
    INVITATION_USED = "This invitation was already used."
    INVITATION_EXPIRED = "This invitation expired: ask an admin for a new one."
    INVITATION_FOR_ANOTHER_ADDRESS = (
        "This invitation was sent to another e-mail address: "
        "sign in with that address to accept it."
    )
    ALREADY_REQUESTED = "You already asked to join this organization."
    MEMBERSHIP_REQUEST_NOT_FOUND = "No membership request with id {value}."
    REQUEST_DECIDED = "This request was already decided."
    MEMBERSHIP_NOT_FOUND = "No membership with id {value}."
    LAST_OWNER = "The last OWNER of an organization cannot be demoted or removed."
    OWNER_ROLE_REQUIRED = "Only an OWNER makes or unmakes OWNERs."
    TOKEN_OR_REQUEST = "give either invitationToken or requestId"


@unique
class SpaceErrorCode(ErrorCode):
    """Places (spaces)."""

    SPACE_NOT_FOUND = "No place with id {value}."
    SPACE_REF_TAKEN = "A place with ref '{value}' already exists."


@unique
class SpaceClaimErrorCode(ErrorCode):
    """Claiming a place for an organization, a network's decision, the yearly confirmation."""

    CLAIM_NOT_FOUND = "No claim on a place with id {value}."
    ALREADY_YOURS = "This place is already verified as your organization's."
    CLAIM_ALREADY_PENDING = "Your organization already has a claim on this place waiting."
    NO_NETWORK_COVERS = (
        "No network covers this place and no national administrators are set up: "
        "nobody could decide this claim."
    )
    NOT_THE_DECIDING_NETWORK = "Only the admins of the network this claim waits for decide it."
    CLAIM_DECIDED = "This claim was already decided."
    CLAIMED_MEANWHILE = (
        "Another organization claimed this place a moment ago; claim again: the network decides."
    )
    REASON_REQUIRED = "give the reason for refusing: the claimant reads it"
    NOTHING_TO_CONFIRM = "This place is not verified as its organization's: claim it first."


@unique
class LocationErrorCode(ErrorCode):
    """Where something is: coordinates and communes."""

    COORDINATES_APART = "latitude and longitude go together"
    UNKNOWN_COMMUNE = "unknown commune '{value}' (INSEE code, postcode or name)"
    COMMUNE_WITHOUT_CENTRE = "this commune has no known centre"


@unique
class ListingErrorCode(ErrorCode):
    """Publishing and changing listings."""

    LISTING_NOT_FOUND = "No listing with id {value}."
    LISTING_REF_TAKEN = "A listing with ref '{value}' already exists."
    STATUS_CHANGE_REFUSED = "A … listing cannot become {value}."
    TITLE_REQUIRED = "a listing must keep a title"
    UNKNOWN_CATEGORY = "unknown category '{value}' (see Query.categories)"
    CATEGORY_OF_ANOTHER_KIND = "'…' is a {value} category"
    DATES_OUT_OF_ORDER = "is before available_from"
    AVAILABILITY_OVER = "{value} is in the past: the availability must end today or later"
    TAG_TOO_LONG = "a tag has at most {value} characters"
    NOT_A_PLACE_OF_YOURS = "no such place among your organization's places"
    DETAILS_OF_ANOTHER_KIND = "give `…` details for a {value} listing"
    ALREADY_PUBLISHED_BY_OWNER = "this listing is already its organization's own offer"


@unique
class PhotoErrorCode(ErrorCode):
    """Photos of listings, places and organizations: the file, its text, its place in the row."""

    PHOTO_NOT_FOUND = "No photo with id {value}."
    NOT_A_FILE = "send the photo as a file, in a multipart request (GraphQL multipart spec)"
    PHOTO_TOO_LARGE = "the file is larger than {value} (the most a photo may weigh)"
    PHOTO_EMPTY = "the file is empty"
    PHOTO_FORMAT_REFUSED = "not a JPEG, PNG or WebP image (its content was read, not its name)"
    PHOTO_DAMAGED = "the image is damaged or truncated and cannot be read"
    PHOTO_TOO_MANY_PIXELS = "the image is too large once decoded: at most {value} pixels"
    PHOTO_TOO_SMALL = "the image is too small: at least {value} pixels wide and high"
    TOO_MANY_PHOTOS = "a listing has at most {value} photos; delete one first"
    ALT_REQUIRED = "describe the photo for people who cannot see it"


@unique
class ExchangeErrorCode(ErrorCode):
    """Requesting, answering and carrying out exchanges; booking periods."""

    EXCHANGE_NOT_FOUND = "No such exchange."
    NO_TIME_ZONE = "give a time zone offset, e.g. 2027-03-01T09:00:00+01:00"
    PERIOD_INCOMPLETE = "a period needs both its start and its end"
    PERIOD_REQUIRED = "give a start and an end"
    ENDS_BEFORE_START = "ends before (or when) it starts"
    PERIOD_TOO_LONG = "a period lasts at most 5 years"
    PERIOD_OVER = "this period is already over"
    UNKNOWN_LISTING = "no listing with this id"
    OWN_LISTING = "this is your own organization's listing"
    LISTING_NOT_PUBLISHED = "this listing is {value}"
    NOT_PUBLISHED_BY_OWNER = (
        "a vacant site recorded by Cartofriches: its owner has not published it yet"
    )
    NOT_A_PLACE_OF_THE_REQUESTER = "not a place of the requesting organization"
    LOAN_NEEDS_PERIOD = "a loan or an occupation needs a start and an end"
    HOURS_OR_PERIOD = "give hours, or a period"
    QUANTITY_ONLY_FOR_MATERIALS = "only materials are requested by quantity"
    QUANTITY_REQUIRED = "how much of it do you ask for?"
    NOT_ENOUGH_LEFT = "only {value} left"
    BEFORE_AVAILABLE_FROM = "the listing is available from {value}"
    AFTER_AVAILABLE_UNTIL = "the listing is available until {value}"
    PERIOD_BOOKED = "the listing is already booked during this period"
    ALREADY_BOOKED = "This period is already booked."
    BOOKED_MEANWHILE = "This period was just booked by someone else."
    WRONG_STATE = "This exchange is {value}: only a … exchange can be …."
    REQUESTER_MUST_ANSWER = "The requester must answer the period you proposed."
    LISTING_NOT_OPEN = "The listing is {value}."
    ALREADY_PROPOSED = "You already proposed a period; the requester has to answer."
    DECLINE_AFTER_PROPOSAL = "You proposed another period: cancel the exchange instead."
    DECLINE_INSTEAD = "The request awaits your answer: decline it instead of cancelling it."
    ALREADY_STARTED = "The period has started: record the handover, or its completion."
    OWNER_DECISION_ROLE = (
        "This needs the ADMIN or OWNER role in the listing's organization, "
        "or to be the person who published the listing."
    )
    OWNER_SIDE_ONLY = "Only the listing's organization can do this."
    NOT_ENOUGH_LEFT_TO_ACCEPT = "Only {value} left: accept a smaller quantity."


@unique
class CalendarErrorCode(ErrorCode):
    """A listing's calendar (blocked periods, availability windows) and calendar feeds."""

    WINDOW_REVERSED = "is before from"
    WINDOW_TOO_LONG = "a window spans at most {value} days"
    NOT_A_LISTING_OF_YOURS = "no listing of yours with this id"
    NO_CALENDAR = "only equipment, premises and skills have a calendar"
    PARTLY_BOOKED = "part of this period is already booked"
    BLOCK_NOT_FOUND = "No such blocked period."
    FEED_NOT_FOUND = "No calendar feed with id {value}."
    FEED_REVOKE_NOT_ALLOWED = "Only its creator or an admin of the organization revokes a feed."


@unique
class AlertErrorCode(ErrorCode):
    """Saved searches and their notifications."""

    ALERT_NOT_FOUND = "No alert with id {value}."
    NOTIFICATION_NOT_FOUND = "No notification with id {value}."
    TOO_MANY_ALERTS = "you have {value} alerts already; delete one first"
    NEAR_OR_COMMUNE = "give either near or commune, not both"
    RADIUS_WITHOUT_PLACE = "needs near or commune"
    NO_CRITERIA = "an alert needs text or at least one filter"


@unique
class ImpactErrorCode(ErrorCode):
    """The impact figures' filter."""

    NOT_A_REGION = "not an INSEE region code (two digits, e.g. 75)"
    NOT_A_DEPARTMENT = "not a department code (e.g. 23, 2A, 974)"
    TO_BEFORE_FROM = "is before from"
    UNKNOWN_ORGANIZATION = "no organization with id {value}"
    IMPACT_NOT_ALLOWED = "The impact of one organization is for its members and its network."


@unique
class ImportErrorCode(ErrorCode):
    """Rows of a listings file (`entrelieux import-listings`)."""

    UNKNOWN_COLUMN = "unknown field"
    REF_MISSING = "missing: every row needs a ref"
    NOT_AN_ORGANIZATION_KIND = "must be one of {value}"
    CELL_NOT_TEXT = "must be text"
    ORGANIZATION_MISSING = "missing: give organization or organization_siret, or --organization"
    REF_OF_ANOTHER_ORGANIZATION = "belongs to another organization"
    BAD_SPACE_REF = "must be a place's ref, such as mc:123"
    UNKNOWN_SPACE_REF = "no place with ref '{value}'"


@unique
class ModerationErrorCode(ErrorCode):
    """Reports of listings, and the decisions of the networks that cover them."""

    OWN_LISTING_REPORTED = "You cannot report a listing of your own organization."
    ALREADY_REPORTED = "You already reported this listing; the network has not decided yet."
    NO_NETWORK_FOR_LISTING = "No network covers this listing's commune, nor any national one."
    NOT_A_COVERING_NETWORK = (
        "Only the OWNERs and ADMINs of a network covering the listing's commune may do this."
    )
    DECISION_REASON_REQUIRED = "give the reason for this decision (1 to {value} characters)"
    ALREADY_HIDDEN = "This listing is already hidden."
    NOT_HIDDEN = "This listing is not hidden."
    REPORT_NOT_FOUND = "No report with id {value}."
    REPORT_DECIDED = "This report was already decided."
    NOT_A_NETWORK = "Organization {value} is not a network (RESEAU)."
    NOT_AWAITING_VALIDATION = "This organization is not waiting for this network's validation."


class DirectoryErrorCode(ErrorCode):
    """The directory built from open sources: merges of their records into places."""

    MERGE_NOT_FOUND = "No merge with id {value}."
    MERGE_ALREADY_UNDONE = "This merge was already undone."
    NATIONAL_ADMIN_REQUIRED = (
        "Only a national administrator (ADMIN or OWNER of a network covering France) may do this."
    )


@unique
class TrainingErrorCode(ErrorCode):
    """Training passports: the trainings a lab records, and the labs it recognizes."""

    TRAINING_NOT_FOUND = "No training with id {value}."
    TRAINEE_NOT_FOUND = "No person with id {value}."
    UNKNOWN_MACHINE_CLASS = "unknown machine class '{value}' (an EQUIPMENT code of the taxonomy)"
    EXPIRY_BEFORE_TRAINING = "the expiry must not be before the training date"
    TRAINER_NOT_A_MEMBER = "the trainer must be a member of the lab"
    TRAINING_ALREADY_REVOKED = "This training was already revoked."
    RECOGNIZES_ITSELF = "a lab always recognizes its own trainings"
    # Equipment details: which trainings a listing requires, under which rule (issue 16).
    TRAINING_RULE_WITHOUT_CLASSES = "a training rule needs at least one required training"
    TRAINING_LABS_REQUIRED = "the LISTED_LABS rule needs at least one lab"
    TRAINING_LABS_WITHOUT_LISTED_RULE = "labs are listed only with the LISTED_LABS rule"
    TRAINING_LAB_NOT_FOUND = "no organization with id {value}"


@unique
class AgreementErrorCode(ErrorCode):
    """The agreement of an accepted exchange: its versions and each side's acceptance."""

    AGREEMENT_NOT_FOUND = (
        "This exchange has no agreement: it is drafted once the exchange is accepted."
    )
    VERSION_NOT_FOUND = "No version {value} of this agreement."
    VERSION_NOT_CURRENT = (
        "Version {value} is no longer the current one: read the current version, then accept it."
    )
    AGREEMENT_FIELD_MISSING = "to fill in before accepting"
    TERM_REQUIRED = "this term of the agreement cannot be left empty"
    AGREEMENT_ALREADY_ACCEPTED = "Your organization already accepted this version."


CATALOGUE: tuple[type[ErrorCode], ...] = (
    InputErrorCode,
    AccountErrorCode,
    TokenErrorCode,
    IdempotencyErrorCode,
    OrganizationErrorCode,
    MembershipErrorCode,
    SpaceErrorCode,
    SpaceClaimErrorCode,
    LocationErrorCode,
    ListingErrorCode,
    PhotoErrorCode,
    ExchangeErrorCode,
    CalendarErrorCode,
    AlertErrorCode,
    ImpactErrorCode,
    ImportErrorCode,
    ModerationErrorCode,
    DirectoryErrorCode,
    TrainingErrorCode,
    AgreementErrorCode,
)
"""Every code enum, in the order the documentation lists them."""

BY_NAME: dict[str, ErrorCode] = {code.name: code for enum in CATALOGUE for code in enum}
"""Each code by its name (names are unique across the enums)."""
