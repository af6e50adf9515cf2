"""The words and limits the service and the command language share.

The parser in handlers/ imports these instead of keeping its own copy, so a new
command word is reserved as a team name the moment the parser knows it.
"""

# handlers/ take the statuses from here, as part of the service's vocabulary.
from storage.statuses import InvitationStatus, RequestStatus  # noqa: F401

MAX_TARGETS = 50  # people in one invitation command or form
MAX_SEATS = 100_000
MAX_LINK_USES = 100_000
MAX_LINK_DAYS = 3650
MAX_ACCESS_DAYS = 365  # access for a time: `for N days`, `until DATE` at most this far ahead
APPROVAL_ACCESS_DAYS = (7, 30, 90)  # what an approver may choose beside Permanent
ACCESS_WARNING_DAYS = 3  # the member and admins are told this long before the end
EXTEND_BUTTON_DAYS = 30

PLANS = ("starter", "professional", "enterprise", "unlimited")
ALL = "all"
INVITATION_FILTERS = (*(status.value for status in InvitationStatus), ALL)

COMMAND_WORDS = (
    "help", "teams", "members", "list", "link", "card", "join", "request", "requests",
    "role", "roles", "transfer", "remove", "team", "seats", "settings", "audit", "extend",
    "stats",
    "waitlist",
)  # fmt: skip
CLAUSE_WORDS = (
    "reset", "limit", "create", "delete", "to", "as", "in", "from", "message",
    "parent", "uses", "expires", "never", "csv", "for", "days", "day", "until", "permanent",
    "resume", "domains", "any", "leave",
)  # fmt: skip
# Words the parser reads as keywords wherever they stand.
KEYWORDS: frozenset[str] = frozenset(COMMAND_WORDS + CLAUSE_WORDS + INVITATION_FILTERS + PLANS)
# A team may not be named like a keyword, nor like a role or plan word that would read as one.
RESERVED_TEAM_NAMES: frozenset[str] = KEYWORDS | {"member", "trial"}
