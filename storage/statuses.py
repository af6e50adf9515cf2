"""The statuses stored rows move through. Each is a StrEnum, so it is stored as its value."""

from enum import StrEnum


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    ADMITTED = "admitted"  # a freed seat was theirs (open link policy)
    REQUESTED = "requested"  # a freed seat sent their join request to the approvers
    LEFT = "left"  # they left the queue, or no longer need it


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by an instance that is delivering it
    SENT = "sent"
    FAILED = "failed"  # given up on


class IntakeStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"  # claimed by a worker, under a lease
    DONE = "done"
    FAILED = "failed"  # gave up after repeated errors
