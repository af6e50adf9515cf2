"""The invitation service: one object the handlers and jobs talk to."""

from bot.audit.log import AuditLog
from bot.clock import Clock, SystemClock
from bot.invitations.admin import InvitationAdmin
from bot.invitations.email_claims import EmailClaims
from bot.invitations.service import Invitations
from bot.links.service import Links
from bot.requests.roles import RoleRequests
from bot.requests.service import Requests
from bot.roles.service import Roles
from bot.seats.plans import Seats
from bot.seats.waiting import Waitlist
from bot.stats.service import Stats
from bot.teams.ending import AccessEnds
from bot.teams.removal import Removal
from bot.teams.service import Teams
from bot.teams.settings import TeamSettings
from bot.teams.settings_editor import SettingsEditor
from bot.teams.sponsor_decisions import SponsorDecisions


class Lobby:
    """Groups the service areas; each area's methods take keyword-only arguments."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        defaults: TeamSettings | None = None,
        email_enabled: bool = False,
    ):
        self.clock = clock or SystemClock()
        self.teams = Teams(clock=self.clock, defaults=defaults or TeamSettings())
        self.invitations = Invitations(clock=self.clock, email_enabled=email_enabled)
        self.invitation_admin = InvitationAdmin(clock=self.clock, email_enabled=email_enabled)
        self.requests = Requests(clock=self.clock)
        self.role_requests = RoleRequests(clock=self.clock)
        self.links = Links(clock=self.clock, requests=self.requests)
        self.email_claims = EmailClaims(clock=self.clock)
        self.seats = Seats(clock=self.clock)
        self.waitlist = Waitlist(clock=self.clock)
        self.removal = Removal(clock=self.clock)
        self.access = AccessEnds(clock=self.clock)
        self.sponsors = SponsorDecisions(clock=self.clock)
        self.roles = Roles(clock=self.clock)
        self.settings = SettingsEditor(clock=self.clock)
        self.audit = AuditLog()
        self.stats = Stats(clock=self.clock)
