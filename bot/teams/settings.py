"""A team's settings and their defaults, written onto every new team."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TeamSettings:
    invite_policy: str = "managers"  # admins | managers | members
    link_policy: str = "open"  # open | approval | disabled
    invitation_expiry_days: int = 7
    request_expiry_days: int = 14
    request_cooldown_days: int = 7
    default_role: str = "member"
    daily_invite_limit: int = 100
    link_joins_per_hour: int = 25  # joins by link (code or card) per rolling hour; 0: no limit
    notification_channel: str | None = None
    digest_enabled: bool = False
    note_required: bool = False  # join and role requests must carry a note
    plan: str = "trial"
    custom_seat_limit: int | None = None

    def as_fields(self) -> dict:
        return dict(self.__dict__)
