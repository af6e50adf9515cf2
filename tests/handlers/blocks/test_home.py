"""The Home tab and its "show all" modal: valid Block Kit, escaped text, 100 blocks at most."""

import json
from datetime import datetime

import pytest

from bot.home.service import (
    INVITATIONS,
    REQUESTS,
    SHOWN,
    AdminTeam,
    Capped,
    Home,
    MyInvitation,
    MyRequest,
    PendingInvitation,
    PendingRequest,
    RecentJoin,
    ShowAllPage,
    TeamRoles,
)
from bot.seats.use import SeatUse
from handlers.blocks import home as home_blocks
from handlers.blocks import invitations as invitations_blocks
from handlers.blocks import requests as requests_blocks
from tests.support.blockkit import MAX_VIEW_BLOCKS, assert_valid_view

NOW = datetime(2026, 11, 23, 9, 0, 0)
HOSTILE = "<!channel> a & b <c>"
ESCAPED = "&lt;!channel&gt; a &amp; b &lt;c&gt;"


def rendered(view):
    return json.dumps(view, ensure_ascii=False)


def elements(view, action_id):
    found = []
    for block in view["blocks"]:
        found += [e for e in block.get("elements", []) if e.get("action_id") == action_id]
        accessory = block.get("accessory")
        if accessory and accessory.get("action_id") == action_id:
            found.append(accessory)
    return found


def request(i, note=None):
    return PendingRequest(i, f"UREQ{i:04d}", note, NOW)


def invitation(i, email=None):
    user = None if email else f"UINV{i:04d}"
    return PendingInvitation(1000 + i, user, email, "UOWNER", ["member"], NOW)


def admin_team(name="Design", requests=SHOWN, invitations=SHOWN, total=None, joins=3, **kw):
    seats = SeatUse(name, "starter", 5, 3, invitations, None)
    return AdminTeam(
        team=name,
        seats=seats,
        grantable_roles=kw.get("roles", ["member", "viewer"]),
        default_role="member",
        requests=Capped([request(i, kw.get("note")) for i in range(requests)], total or requests),
        invitations=Capped(
            [invitation(i, kw.get("email")) for i in range(invitations)], total or invitations
        ),
        recent_joins=Capped([RecentJoin(f"UJOIN{i}", NOW, "request") for i in range(joins)], 9),
    )


def home(*, teams=None, invitations=(), requests=(), admin=(), askable=()):
    teams = [TeamRoles("Design", ["admin"], [])] if teams is None else teams
    return Home("UME", teams, list(invitations), list(requests), list(admin), list(askable))


def my_invitation(i, team="Design"):
    return MyInvitation(i, 2, team, "UOWNER", ["member", "lead"], NOW)


def test_someone_without_teams_is_told_how_to_ask_or_start():
    view = home_blocks.home_view(home(teams=[]))
    assert_valid_view(view)
    text = rendered(view)
    assert "/invite request" in text and "/invite team create" in text


def test_a_member_sees_teams_roles_invitations_and_requests():
    view = home_blocks.home_view(
        home(
            teams=[TeamRoles("Design", ["owner", "lead"], ["Web", "Mobile"])],
            invitations=[my_invitation(7, "Ops")],
            requests=[MyRequest(3, "Data", NOW)],
        )
    )
    assert_valid_view(view)
    text = rendered(view)
    for words in ("Your teams", "Owner, Lead", "*Web*", "Your invitations", "*Ops*", "*Data*"):
        assert words in text
    accept, decline = (
        elements(view, invitations_blocks.ACCEPT_INVITATION),
        elements(view, invitations_blocks.DECLINE_INVITATION),
    )
    assert accept[0]["value"] == decline[0]["value"] == "7:2"  # ID:GENERATION
    assert elements(view, requests_blocks.APPROVE_REQUEST) == []


def test_a_member_for_a_time_sees_when_their_access_ends():
    teams = [TeamRoles("Design", ["member"], [], NOW), TeamRoles("Ops", ["member"], [])]
    view = home_blocks.home_view(home(teams=teams))
    assert_valid_view(view)
    text = rendered(view)
    assert text.count("your access ends") == 1
    assert "*Design* · Member · your access ends <!date^" in text


def test_an_admin_team_has_seats_requests_invitations_and_joins():
    view = home_blocks.home_view(home(admin=[admin_team(requests=2, invitations=1)]))
    assert_valid_view(view)
    text = rendered(view)
    assert "Seats: 4 of 5 used (1 held by pending invitations), 1 free." in text
    assert "Joined in the last 7 days* (9)" in text and "<@UJOIN0>" in text
    assert [b["value"] for b in elements(view, requests_blocks.APPROVE_REQUEST)] == ["0", "1"]
    assert [b["value"] for b in elements(view, requests_blocks.DENY_REQUEST)] == ["0", "1"]
    select = elements(view, requests_blocks.REQUEST_ROLE)[0]
    assert [o["value"] for o in select["options"]] == ["member", "viewer"]
    assert select["initial_option"]["value"] == "member"
    assert [b["value"] for b in elements(view, invitations_blocks.RESEND_INVITATION)] == ["1000"]
    assert [b["value"] for b in elements(view, invitations_blocks.CANCEL_INVITATION)] == ["1000"]
    assert elements(view, home_blocks.HOME_SHOW_ALL) == []


def test_the_role_select_sits_in_the_same_block_as_approve():
    view = home_blocks.home_view(home(admin=[admin_team(requests=1)]))
    [block] = [b for b in view["blocks"] if b.get("block_id") == "request:0"]
    assert [e["action_id"] for e in block["elements"]] == [
        requests_blocks.REQUEST_ROLE,
        requests_blocks.APPROVE_REQUEST,
        requests_blocks.DENY_REQUEST,
    ]


def test_longer_lists_say_how_many_more_and_offer_show_all():
    view = home_blocks.home_view(home(admin=[admin_team(total=42)]))
    assert_valid_view(view)
    shows = elements(view, home_blocks.HOME_SHOW_ALL)
    assert [b["value"] for b in shows] == ["requests|Design|1", "invitations|Design|1"]
    assert home_blocks.parse_show_all(shows[0]["value"]) == (REQUESTS, "Design", 1)
    assert "37 more" in rendered(view)


def test_lists_a_person_may_not_act_on_are_left_out():
    team = admin_team()
    team = AdminTeam(**{**team.__dict__, "invitations": None})
    view = home_blocks.home_view(home(admin=[team]))
    assert_valid_view(view)
    assert elements(view, invitations_blocks.RESEND_INVITATION) == []
    assert "Pending invitations" not in rendered(view)


def mrkdwn_texts(node):
    """Every mrkdwn text in a view (plain_text shows user text as it is, safely)."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn":
            yield node["text"]
        for value in node.values():
            yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from mrkdwn_texts(value)


def test_user_text_is_escaped_everywhere():
    team = admin_team(requests=1, invitations=1, note=HOSTILE, email=HOSTILE, roles=[HOSTILE])
    mine = [TeamRoles(HOSTILE, [HOSTILE], [HOSTILE])]
    view = home_blocks.home_view(home(teams=mine, admin=[team]))
    assert_valid_view(view)
    texts = list(mrkdwn_texts(view))
    assert not [text for text in texts if "<!channel>" in text or "a & b" in text]
    assert sum(text.count(ESCAPED) for text in texts) == 5  # team, role, sub-team, note, email


@pytest.mark.parametrize("teams", [1, 3, 4, 10, 50])
def test_any_number_of_admin_teams_stays_within_100_blocks(teams):
    admin = [admin_team(f"Team{i}", total=40) for i in range(teams)]
    many_teams = [TeamRoles(f"Team{i}", ["admin"], []) for i in range(teams)]
    view = home_blocks.home_view(
        home(
            teams=many_teams,
            invitations=[my_invitation(i) for i in range(30)],
            requests=[MyRequest(i, f"Team{i}", NOW) for i in range(30)],
            admin=admin,
        )
    )
    assert_valid_view(view)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS


def test_fifty_teams_of_five_requests_leave_out_whole_teams_and_say_so():
    admin = [admin_team(f"Team{i:02d}", requests=5, invitations=0, joins=0) for i in range(50)]
    view = home_blocks.home_view(home(admin=admin))
    assert_valid_view(view)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    shown = [name for name in headers if name.startswith("Team")]
    last = view["blocks"][-1]
    assert last["type"] == "context"
    assert f"and {50 - len(shown)} more teams" in last["elements"][0]["text"]
    assert "/invite requests" in last["elements"][0]["text"]
    # every team shown is shown whole: its five requests, each with its buttons
    assert len(elements(view, requests_blocks.APPROVE_REQUEST)) == 5 * len(shown)


def request_page(page=2, pages=3, rows=20):
    return ShowAllPage(
        kind=REQUESTS,
        team="Design",
        page=page,
        pages=pages,
        total=45,
        rows=[request(i, HOSTILE) for i in range(rows)],
        grantable_roles=["member", "viewer"],
        default_role="viewer",
    )


def test_show_all_modal_pages_with_previous_and_next():
    view = home_blocks.show_all_modal(request_page())
    assert_valid_view(view)
    assert view["type"] == "modal" and len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert [b["value"] for b in elements(view, home_blocks.HOME_PAGE_PREVIOUS)] == [
        "requests|Design|1"
    ]
    assert [b["value"] for b in elements(view, home_blocks.HOME_PAGE_NEXT)] == ["requests|Design|3"]
    assert view["private_metadata"] == "requests|Design|2"
    assert len(elements(view, requests_blocks.APPROVE_REQUEST)) == 20
    assert elements(view, requests_blocks.REQUEST_ROLE)[0]["initial_option"]["value"] == "viewer"
    assert ESCAPED in rendered(view) and "<!channel>" not in rendered(view)


def test_the_first_and_last_pages_offer_one_way_only():
    first = home_blocks.show_all_modal(request_page(page=1))
    last = home_blocks.show_all_modal(request_page(page=3, rows=5))
    assert elements(first, home_blocks.HOME_PAGE_PREVIOUS) == []
    assert elements(last, home_blocks.HOME_PAGE_NEXT) == []
    assert_valid_view(first)
    assert_valid_view(last)


def test_show_all_modal_for_invitations_and_for_an_empty_list():
    rows = [invitation(0), invitation(1, email=HOSTILE)]
    page = ShowAllPage(INVITATIONS, "Design", 1, 1, 2, rows, [], "member")
    view = home_blocks.show_all_modal(page)
    assert_valid_view(view)
    assert [b["value"] for b in elements(view, invitations_blocks.CANCEL_INVITATION)] == [
        "1000",
        "1001",
    ]
    assert ESCAPED in rendered(view) and elements(view, home_blocks.HOME_PAGE_NEXT) == []
    empty = home_blocks.show_all_modal(ShowAllPage(REQUESTS, "Design", 1, 1, 0, [], [], "member"))
    assert_valid_view(empty)
    assert home_blocks.NOTHING_WAITING in rendered(empty)


def test_teams_one_may_ask_to_join_carry_a_request_button():
    view = home_blocks.home_view(home(teams=[], askable=[(7, "Design <&>"), (8, "Ops")]))
    assert_valid_view(view)
    buttons = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("card_request", "7"),
        ("card_request", "8"),
    ]
    assert "Design &lt;&amp;&gt;" in json.dumps(view)
