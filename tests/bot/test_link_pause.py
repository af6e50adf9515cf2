"""Links that protect themselves: the hourly join limit, the pause, resume and reset."""

import json
import multiprocessing
import time

import pytest

from bot.errors import CodeRefused, InvalidSetting, LinkNotPaused, LinkPaused, NotAllowed
from bot.service import Lobby
from storage.db import init_db
from storage.models import InviteCode, Membership, Notice, Team
from tests.conftest import actor
from tests.support.clock import ManualClock

ADMIN = actor("UADMIN")


@pytest.fixture
def design(lobby, directory):
    return lobby.teams.create(actor=ADMIN, name="Design", directory=directory)


def per_hour(limit: int) -> None:
    Team.update(link_joins_per_hour=limit).execute()


def code_of(lobby) -> str:
    return lobby.links.show(actor=ADMIN, team_name=None).code


def join(lobby, user_id: str, code: str):
    return lobby.links.join_with_code(actor=actor(user_id), code=code)


def paused_dms():
    rows = Notice.select().where(Notice.kind == "link_paused").order_by(Notice.id)
    return [json.loads(row.payload) for row in rows]


def test_new_teams_pause_after_25_joins_an_hour_by_default(lobby, design):
    assert design.link_joins_per_hour == 25
    assert lobby.links.show(actor=ADMIN, team_name=None).joins_per_hour == 25


def test_the_join_that_would_exceed_the_limit_is_refused_and_pauses_the_link(lobby, design):
    per_hour(2)
    code = code_of(lobby)
    join(lobby, "UA", code)
    join(lobby, "UB", code)
    with pytest.raises(LinkPaused) as refused:
        join(lobby, "UC", code)
    assert refused.value.team == "Design" and refused.value.ask == "UADMIN"
    assert Membership.find(design, "UC") is None
    assert InviteCode.current(design).paused_at is not None
    assert lobby.links.show(actor=ADMIN, team_name=None).paused


def test_a_paused_link_refuses_codes_and_cards_and_admins_get_one_dm(lobby, design, clock):
    per_hour(1)
    code = code_of(lobby)
    join(lobby, "UA", code)
    for user in ("UB", "UC"):
        with pytest.raises(LinkPaused):
            join(lobby, user, code)
    clock.advance(hours=2)  # the pause waits for an admin, not for the hour to pass
    with pytest.raises(LinkPaused):
        lobby.links.join_from_card(actor=actor("UD"), team_id=design.id)
    dms = paused_dms()
    assert [(dm["recipient"], dm["team"], dm["limit"]) for dm in dms] == [("UADMIN", "Design", 1)]
    assert dms[0]["code_id"] == InviteCode.current(design).id


def test_joins_older_than_an_hour_no_longer_count(lobby, design, clock):
    per_hour(2)
    code = code_of(lobby)
    join(lobby, "UA", code)
    clock.advance(minutes=40)
    join(lobby, "UB", code)
    clock.advance(minutes=21)  # UA's join is now more than an hour old
    join(lobby, "UC", code)
    with pytest.raises(LinkPaused):
        join(lobby, "UD", code)


def test_zero_turns_the_limit_off(lobby, design):
    per_hour(0)
    code = code_of(lobby)
    for i in range(30):
        join(lobby, f"U{i:03}", code)
    assert not paused_dms()


def test_resume_opens_the_link_and_starts_a_new_hour(lobby, design, clock):
    per_hour(2)
    code = code_of(lobby)
    join(lobby, "UA", code)
    join(lobby, "UB", code)
    with pytest.raises(LinkPaused):
        join(lobby, "UC", code)
    clock.advance(minutes=5)
    info = lobby.links.resume(actor=ADMIN, team_name=None)
    assert not info.paused and info.code == code
    join(lobby, "UC", code)  # the two joins before the resume no longer count
    join(lobby, "UD", code)
    with pytest.raises(LinkPaused):
        join(lobby, "UE", code)
    assert len(paused_dms()) == 2  # a second pause is a second DM
    ended = Notice.select().where(Notice.kind == "link_pause_ended")
    assert [json.loads(n.payload)["how"] for n in ended] == ["resumed"]


def test_resuming_a_link_that_is_not_paused_is_refused(lobby, design):
    with pytest.raises(LinkNotPaused):
        lobby.links.resume(actor=ADMIN, team_name=None)


def test_a_second_click_on_resume_or_reset_finds_the_pause_over(lobby, design):
    per_hour(1)
    code = code_of(lobby)
    join(lobby, "UA", code)
    with pytest.raises(LinkPaused):
        join(lobby, "UB", code)
    paused = InviteCode.current(design).id
    lobby.links.resume(actor=ADMIN, team_name=None, paused_code=paused)
    with pytest.raises(LinkNotPaused):
        lobby.links.resume(actor=ADMIN, team_name=None, paused_code=paused)
    with pytest.raises(LinkNotPaused):
        lobby.links.reset(actor=ADMIN, team_name=None, paused_code=paused)
    assert InviteCode.current(design).code == code  # the click did not reset it


def test_reset_from_the_pause_makes_a_working_code_and_ends_the_pause(lobby, design):
    per_hour(1)
    old = code_of(lobby)
    join(lobby, "UA", old)
    with pytest.raises(LinkPaused):
        join(lobby, "UB", old)
    paused = InviteCode.current(design).id
    new = lobby.links.reset(actor=ADMIN, team_name=None, paused_code=paused).code
    with pytest.raises(CodeRefused):
        join(lobby, "UB", old)
    join(lobby, "UB", new)  # a new code counts its own hour
    ended = json.loads(Notice.get(Notice.kind == "link_pause_ended").payload)
    assert ended["how"] == "reset" and ended["by"] == "UADMIN"
    assert ended["subject"] == paused_dms()[0]["subject"]


def test_only_admins_resume(lobby, design):
    per_hour(1)
    code = code_of(lobby)
    join(lobby, "UA", code)
    with pytest.raises(LinkPaused):
        join(lobby, "UB", code)
    with pytest.raises(NotAllowed):
        lobby.links.resume(actor=actor("UA"), team_name=None)


def test_a_pause_rerenders_the_join_cards_without_join(lobby, design):
    lobby.links.remember_card(actor=ADMIN, team_id=design.id, channel="C1", ts="1.1")
    per_hour(1)
    code = code_of(lobby)
    join(lobby, "UA", code)
    with pytest.raises(LinkPaused):
        join(lobby, "UB", code)
    renders = Notice.select().where(Notice.kind == "render_join_cards").order_by(Notice.id)
    last = json.loads(list(renders)[-1].payload)
    assert last["paused"] is True and last["joinable"] is False
    lobby.links.resume(actor=ADMIN, team_name=None)
    renders = Notice.select().where(Notice.kind == "render_join_cards").order_by(Notice.id)
    assert json.loads(list(renders)[-1].payload)["joinable"] is True


def test_the_limit_is_a_setting_from_0_to_10000(lobby, design):
    update = lobby.settings.update
    assert update(actor=ADMIN, team_name=None, changes={"link_joins_per_hour": 0})
    with pytest.raises(InvalidSetting) as refused:
        update(actor=ADMIN, team_name=None, changes={"link_joins_per_hour": -1})
    assert refused.value.field == "link_joins_per_hour"
    settings = update(actor=ADMIN, team_name=None, changes={"link_joins_per_hour": 7})
    assert settings.link_joins_per_hour == 7


def _join_in_a_process(url: str, code: str, user_id: str, go, results) -> None:
    init_db(url)
    lobby = Lobby(clock=ManualClock())
    go.wait(timeout=60)  # every process is connected: now they race
    try:
        lobby.links.join_with_code(actor=actor(user_id), code=code)
        results.put("joined")
    except LinkPaused:
        results.put("paused")
    except Exception as error:  # noqa: BLE001 - reported to the parent test
        results.put(repr(error))


def test_simultaneous_joins_at_the_edge_admit_exactly_the_limit(lobby, design, database, db_url):
    per_hour(3)
    code = code_of(lobby)
    database.close()
    context = multiprocessing.get_context("spawn")
    results, go = context.Queue(), context.Event()
    processes = [
        context.Process(target=_join_in_a_process, args=(db_url, code, f"U{i:03}", go, results))
        for i in range(10)
    ]
    for process in processes:
        process.start()
    time.sleep(3)  # let them all connect and wait at the start line
    go.set()
    outcomes = sorted(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(timeout=30)
    database.connect(reuse_if_open=True)
    assert outcomes == ["joined"] * 3 + ["paused"] * 7
    assert Membership.select().count() == 4
    assert len(paused_dms()) == 1
