"""Link joins limited to email domains, end to end (emails come from users.info)."""

from storage.models import JoinRequest, Membership
from tests.e2e.conftest import ALICE, BOB, CAROL
from tests.e2e.test_links import code_in, post_card, set_up


def member(user_id: str) -> bool:
    return Membership.select().where(Membership.user_id == user_id).exists()


def test_outside_the_domains_a_join_becomes_a_request_inside_it_joins(running):
    set_up(running)
    shown = running.reply_to(running.command("link domains acme.com,acme.io"))
    assert "Only people with an email at acme.com, acme.io join by link" in shown
    code = code_in(running.reply_to(running.command("link")))
    asked = running.reply_to(running.command(f"join {code}", user_id=ALICE))
    assert "request to join *Design* is with its admins" in asked
    assert not member(ALICE) and JoinRequest.get().requester_user_id == ALICE
    assert running.slack.calls_to("users.info")
    card = post_card(running)
    running.requests.click(card, "card_join", user_id=CAROL)
    running.delivered(lambda: JoinRequest.select().count() == 2)
    running.reply_to(running.command("link domains example.com"))
    assert "Welcome" in running.reply_to(running.command(f"join {code}", user_id=BOB))
    anyone = running.reply_to(running.command("link domains Design any"))
    assert "Anyone in the workspace may join by link" in anyone


def test_a_malformed_domain_is_refused_naming_it(running):
    set_up(running)
    refused = running.reply_to(running.command("link domains acme.com,acme"))
    assert "“acme” isn't an email domain" in refused
    assert "Anyone in the workspace" in running.reply_to(running.command("link"))
