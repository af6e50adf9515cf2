"""Delivery of the service's notices to Slack and by email, after the change commits.

Importing the package loads every sender module, which registers its deliverers.
"""

# Imported for their deliverers, which register themselves.
from handlers.delivery import (  # noqa: F401
    access,
    invitations,
    links,
    members,
    replies,
    requests,
    role_requests,
    sponsors,
    sync,
    waitlist,
)
from handlers.delivery.registry import Delivery, deliver

__all__ = ["Delivery", "deliver"]
