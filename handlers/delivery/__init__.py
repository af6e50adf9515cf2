"""Delivery of the service's notices to Slack and by email, after the change commits.

Importing the package loads every sender module, which registers its deliverers.
"""

from handlers.delivery import invitations, members, requests, sync  # noqa: F401 (they register)
from handlers.delivery.registry import Delivery, deliver, publish_homes

__all__ = ["Delivery", "deliver", "publish_homes"]
