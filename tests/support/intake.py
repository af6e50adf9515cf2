"""Claiming one intake item at a time, as the tests look at claims."""

from datetime import datetime, timedelta

from storage import intake


def claim_one(now: datetime, instance_id: str, lease: timedelta) -> intake.IntakeItem | None:
    """The oldest claimable item whose queue has nothing earlier unsettled."""
    claimed = intake.claim_batch(now, instance_id, lease, limit=1)
    return claimed[0] if claimed else None
