"""Sponsor review: who brought each member in, and the review when that person leaves."""

import pytest

from bot.errors import LastOwner, NotAllowed, SponsorRowDecided
from bot.teams.access_term import AccessTerm
from bot.teams.sponsors import open_review
from storage.db import db
from storage.models import AuditEntry, Invitation, Membership, SponsoredMember, SponsorReview
from tests.conftest import actor
from tests.support.outbox import payloads
from tests.support.races import race

OWNER = actor("UOWNER")


@pytest.fixture
def design(lobby, directory):
    directory.admins.add("UOWNER")
    return lobby.teams.create(actor=OWNER, name="Design", directory=directory)


def join(lobby, directory, user_id, *, by=OWNER, role="member", term=None):
    lobby.invitations.invite(
        actor=by, team_name="Design", user_ids=[user_id], emails=[], roles=[role],
        message=None, directory=directory, term=term,
    )  # fmt: skip
    invitation = Invitation.get(
        Invitation.invitee_user_id == user_id, Invitation.status == "pending"
    )
    lobby.invitations.accept(actor=actor(user_id), invitation_id=invitation.id)


def approved(lobby, user_id, *, by):
    request = lobby.requests.ask(actor=actor(user_id), team_name="Design", note=None)
    lobby.requests.approve(actor=by, request_id=request.id)


def by_link(lobby, user_id):
    code = lobby.links.show(actor=OWNER, team_name=None).code
    lobby.links.join_with_code(actor=actor(user_id), code=code)


def member(user_id) -> bool:
    return Membership.select().where(Membership.user_id == user_id).exists()


@pytest.fixture
def sponsor(lobby, directory, design):
    """UADMIN (an Admin) brought in UA by invitation and UB by approval; UC came by link."""
    join(lobby, directory, "UADMIN", role="admin")
    join(lobby, directory, "UA", by=actor("UADMIN"))
    approved(lobby, "UB", by=actor("UADMIN"))
    by_link(lobby, "UC")
    return "UADMIN"


def rows() -> dict[str, SponsoredMember]:
    return {row.user_id: row for row in SponsoredMember.select()}


def test_each_way_in_records_who_brought_the_member_in(lobby, sponsor):
    brought = {m.user_id: (m.joined_via, m.added_by) for m in Membership.select()}
    assert brought == {
        "UOWNER": ("creator", "UOWNER"),
        "UADMIN": ("invitation", "UOWNER"),
        "UA": ("invitation", "UADMIN"),
        "UB": ("request", "UADMIN"),
        "UC": ("link", None),
    }
    listed = lobby.teams.member_list(actor=OWNER, team_name=None)
    assert listed.brought_in == {
        "UOWNER": ("creator", "UOWNER"),
        "UADMIN": ("invitation", "UOWNER"),
        "UA": ("invitation", "UADMIN"),
        "UB": ("request", "UADMIN"),
        "UC": ("link", None),
    }


def test_a_removal_sends_one_review_of_those_they_brought_in_but_not_link_joins(
    lobby, directory, sponsor
):
    join(lobby, directory, "UADMIN2", role="admin")
    lobby.removal.remove(actor=OWNER, user_id="UADMIN", team_name=None)
    assert sorted(rows()) == ["UA", "UB"]  # UC came by link: no personal sponsor
    review = SponsorReview.get()
    assert (review.departed_user_id, review.how, review.removed_by) == (
        "UADMIN",
        "removed",
        "UOWNER",
    )
    assert sorted(p["recipient"] for p in payloads("sponsor_review")) == ["UADMIN2", "UOWNER"]
    opened = AuditEntry.get(AuditEntry.action == "sponsor.review_opened")
    assert opened.target == "UADMIN" and '"UA", "UB"' in opened.details
    assert member("UA") and member("UB")  # nobody is removed without a click


def test_nobody_brought_in_means_no_review(lobby, directory, design):
    join(lobby, directory, "UA")
    lobby.removal.remove(actor=OWNER, user_id="UA", team_name=None)
    assert SponsorReview.select().count() == 0 and payloads("sponsor_review") == []


def test_access_that_ends_and_leaving_slack_are_departures_too(lobby, directory, design, clock):
    join(lobby, directory, "UM", role="manager", term=AccessTerm(days=3))
    join(lobby, directory, "UA", by=actor("UM"))
    join(lobby, directory, "UADMIN", role="admin")
    join(lobby, directory, "UB", by=actor("UADMIN"))
    clock.advance(days=3)
    assert lobby.access.end_due() == 1
    lobby.removal.left_workspace(workspace_id="T0LOBBY", user_id="UADMIN")
    reviews = {r.departed_user_id: r.how for r in SponsorReview.select()}
    assert reviews == {"UM": "access_ended", "UADMIN": "left_workspace"}
    assert sorted(rows()) == ["UA", "UB"]


def test_a_departure_processed_twice_opens_one_review(lobby, sponsor, clock):
    membership = Membership.get(Membership.user_id == "UADMIN")
    with db.atomic():
        assert open_review(membership, clock.now(), how="removed") == 2
        assert open_review(membership, clock.now(), how="removed") == 0
    assert SponsorReview.select().count() == 1 and len(payloads("sponsor_review")) == 1


def test_remove_removes_as_remove_does_and_a_second_click_is_told_who_decided(lobby, sponsor):
    lobby.removal.remove(actor=OWNER, user_id="UADMIN", team_name=None)
    decided = lobby.sponsors.remove(actor=OWNER, row_id=rows()["UA"].id)
    assert (decided.decision, decided.decided_by) == ("remove", "UOWNER")
    assert not member("UA")
    assert [p["user"] for p in payloads("removed")] == ["UADMIN", "UA"]
    assert AuditEntry.select().where(AuditEntry.action == "member.removed").count() == 2
    assert AuditEntry.get(AuditEntry.action == "sponsor.removed").target == "UA"
    assert len(payloads("sponsor_review_changed")) == 1
    with pytest.raises(SponsorRowDecided) as refused:
        lobby.sponsors.keep(actor=OWNER, row_id=rows()["UA"].id)
    assert (refused.value.decision, refused.value.by) == ("remove", "UOWNER")
    assert len(payloads("sponsor_review_changed")) == 1


def test_keep_records_the_decision_and_changes_no_membership(lobby, sponsor):
    lobby.removal.remove(actor=OWNER, user_id="UADMIN", team_name=None)
    lobby.sponsors.keep(actor=OWNER, row_id=rows()["UB"].id)
    assert member("UB") and rows()["UB"].decision == "keep"
    assert AuditEntry.get(AuditEntry.action == "sponsor.kept").target == "UB"
    with pytest.raises(SponsorRowDecided):
        lobby.sponsors.remove(actor=OWNER, row_id=rows()["UB"].id)
    assert member("UB")


def test_only_those_who_manage_members_decide(lobby, directory, design):
    join(lobby, directory, "UM", role="manager")
    join(lobby, directory, "UM2", role="manager")
    join(lobby, directory, "UA", by=actor("UM"))
    approved(lobby, "UB", by=actor("UM"))
    lobby.removal.remove(actor=OWNER, user_id="UM", team_name=None)
    for clicker in ("UA", "UM2"):
        with pytest.raises(NotAllowed):
            lobby.sponsors.remove(actor=actor(clicker), row_id=rows()["UB"].id)
        with pytest.raises(NotAllowed):
            lobby.sponsors.keep(actor=actor(clicker), row_id=rows()["UB"].id)
    assert member("UB") and rows()["UB"].decision is None


def test_an_admin_may_not_remove_an_owner_and_the_last_owner_stays(lobby, directory, design):
    join(lobby, directory, "UADMIN", role="admin")
    join(lobby, directory, "UO2", role="owner")
    lobby.invitations.invite(
        actor=actor("UO2"), team_name="Design", user_ids=["UO3"], emails=[], roles=["owner"],
        message=None, directory=directory,
    )  # fmt: skip
    invitation = Invitation.get(Invitation.invitee_user_id == "UO3")
    lobby.invitations.accept(actor=actor("UO3"), invitation_id=invitation.id)
    lobby.removal.remove(actor=OWNER, user_id="UO2", team_name=None)
    row = rows()["UO3"]
    with pytest.raises(NotAllowed):
        lobby.sponsors.remove(actor=actor("UADMIN"), row_id=row.id)
    lobby.removal.left_workspace(workspace_id="T0LOBBY", user_id="UOWNER")
    with pytest.raises(LastOwner):
        lobby.sponsors.remove(actor=actor("UO3"), row_id=row.id)
    assert member("UO3") and rows()["UO3"].decision is None


def test_two_admins_clicking_the_same_row_at_once_decide_it_once(lobby, directory, sponsor):
    join(lobby, directory, "UADMIN2", role="admin")
    lobby.removal.remove(actor=OWNER, user_id="UADMIN", team_name=None)
    row_id = rows()["UA"].id
    results = race(
        {
            "UOWNER": lambda: lobby.sponsors.remove(actor=OWNER, row_id=row_id),
            "UADMIN2": lambda: lobby.sponsors.keep(actor=actor("UADMIN2"), row_id=row_id),
        },
        SponsorRowDecided,
    )
    assert sorted(results.values()) == ["decided", "refused"]
    assert len(payloads("sponsor_review_changed")) == 1
    assert (rows()["UA"].decision == "remove") == (not member("UA"))
