import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.command_language import (
    KEYWORDS,
    Audit,
    ChannelRef,
    Command,
    CommandError,
    CreateRole,
    CreateTeam,
    DeleteRole,
    DeleteTeam,
    EmailTarget,
    Help,
    Invite,
    JoinWithCode,
    LimitLink,
    LinkDomains,
    LinkTeam,
    ListInvitations,
    ListRequests,
    ListRoles,
    ListTeams,
    Members,
    OpenInviteModal,
    PostCard,
    RemoveMember,
    RequestToJoin,
    ResetLink,
    ResumeLink,
    SeatLimit,
    Seats,
    SetRoles,
    Settings,
    ShowLink,
    Stats,
    TransferOwnership,
    UserGroupRef,
    UserTarget,
    parse,
)

ALICE = UserTarget("U123ABC", "alice")
BOB = UserTarget("U456DEF", "bob")


def error_of(text: str) -> str:
    with pytest.raises(CommandError) as caught:
        parse(text)
    return caught.value.message


# --- No text, help, simple listings ------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t ", " , "])
def test_empty_text_opens_the_invite_modal(text):
    assert parse(text) == OpenInviteModal()


def test_help_shows_help_even_with_a_topic():
    assert parse("help") == Help()
    assert parse("help link") == Help()


def test_keywords_are_case_insensitive():
    assert parse("HELP") == Help()
    assert parse("Teams") == ListTeams()
    assert parse("LIST Design PENDING") == ListInvitations("Design", "pending")
    assert parse("@alice TO design AS Admin") == Invite(
        (UserTarget(None, "alice"),), "design", ("admin",)
    )


def test_teams_lists_the_teams():
    assert parse("teams") == ListTeams()


@pytest.mark.parametrize(
    ("word", "command"),
    [
        ("members", Members),
        ("card", PostCard),
        ("requests", ListRequests),
        ("roles", ListRoles),
        ("settings", Settings),
    ],
)
def test_team_only_commands_take_an_optional_team(word, command):
    assert parse(word) == command(None)
    assert parse(f"{word} design") == command("design")


def test_team_names_are_passed_through_as_typed():
    assert parse("members Design-Team2") == Members("Design-Team2")


def test_a_keyword_is_not_taken_as_a_team():
    assert "“teams”" in error_of("members teams")


# --- Inviting ----------------------------------------------------------------------------


def test_mentions_invite_slack_users():
    assert parse("<@U123ABC|alice> <@U456DEF|bob>") == Invite((ALICE, BOB))


def test_a_mention_without_a_name_keeps_the_id():
    assert parse("<@W123ABC>") == Invite((UserTarget("W123ABC", None),))


def test_plain_at_name_is_a_name_not_an_id():
    assert parse("@alice @bob.smith") == Invite(
        (UserTarget(None, "alice"), UserTarget(None, "bob.smith"))
    )


def test_raw_user_ids_are_ids():
    assert parse("U123ABC W9876543") == Invite(
        (UserTarget("U123ABC", None), UserTarget("W9876543", None))
    )


def test_emails_invite_by_address_plain_and_escaped():
    command = parse("a@x.com <mailto:b@y.org|b@y.org>")
    assert command == Invite((EmailTarget("a@x.com"), EmailTarget("b@y.org")))


def test_email_domain_is_lower_cased_but_not_the_local_part():
    assert parse("Alice.Smith@Example.COM").targets == (EmailTarget("Alice.Smith@example.com"),)


def test_commas_and_spaces_both_separate_targets():
    expected = (EmailTarget("a@x.com"), EmailTarget("b@y.org"))
    assert parse("a@x.com,b@y.org").targets == expected
    assert parse("a@x.com, b@y.org").targets == expected
    assert parse("@a, @b").targets == (UserTarget(None, "a"), UserTarget(None, "b"))


def test_duplicate_targets_are_collapsed():
    command = parse("<@U123ABC|alice> <@U123ABC> U123ABC @bob @Bob a@x.com A@X.com")
    assert command.targets == (ALICE, UserTarget(None, "bob"), EmailTarget("a@x.com"))


def test_invite_takes_team_roles_and_a_quoted_message():
    command = parse('<@U123ABC|alice> to design as member message "Welcome aboard!"')
    assert command == Invite((ALICE,), "design", ("member",), "Welcome aboard!")


def test_invite_clauses_come_in_any_order():
    command = parse('a@x.com message "Hi" as admin to design')
    assert command == Invite((EmailTarget("a@x.com"),), "design", ("admin",), "Hi")


def test_role_names_are_lower_cased_and_split_on_commas_or_spaces():
    assert parse("@a as Admin,Manager").roles == ("admin", "manager")
    assert parse("@a as admin, manager viewer").roles == ("admin", "manager", "viewer")
    assert parse('@a as "Core Team"').roles == ("core team",)


def test_unquoted_message_takes_the_rest_of_the_text():
    command = parse("@alice to design message Hi there, as promised: to the team!")
    assert command.team == "design"
    assert command.message == "Hi there, as promised: to the team!"


def test_curly_quotes_delimit_the_message():
    assert parse("@a message “Hello, world” to design") == Invite(
        (UserTarget(None, "a"),), "design", (), "Hello, world"
    )
    assert parse("@a message ‘Hello’").message == "Hello"


def test_straight_single_quotes_delimit_the_message():
    assert parse("@a message 'Hello' as viewer").message == "Hello"


def test_apostrophes_inside_an_unquoted_message_are_kept():
    assert parse("@a message we're glad").message == "we're glad"


def test_escaped_ampersand_is_unescaped_once():
    assert parse("@a message Tom &amp; Jerry").message == "Tom & Jerry"
    assert parse('@a message "a &amp;lt; b"').message == "a &lt; b"


def test_escaped_angle_brackets_are_text_not_mentions():
    assert parse("@a message &lt;@U123ABC&gt; says hi").message == "<@U123ABC> says hi"


def test_mentions_in_a_message_read_as_plain_text():
    assert parse("@a message ask <@U123ABC|alice> in <#C1234|general>").message == (
        "ask @alice in #general"
    )


def test_an_empty_message_is_refused():
    assert "“message”" in error_of("@a message")
    assert "“message”" in error_of('@a message ""')


def test_more_than_fifty_targets_is_refused_with_the_count():
    assert len(parse(" ".join(f"u{n}@x.com" for n in range(50))).targets) == 50
    message = error_of(" ".join(f"u{n}@x.com" for n in range(51)))
    assert "at most 50 people at once" in message
    assert "51" in message


def test_an_invite_without_targets_is_refused():
    message = error_of("to design as admin")
    assert "“to”" in message
    assert "people to invite" in message


@pytest.mark.parametrize("text", ["<!here>", "<!channel>", "<!everyone>", "<!here|here>", "@here"])
def test_special_mentions_are_refused(text):
    assert "@here, @channel and @everyone" in error_of(text)
    assert "@here, @channel and @everyone" in error_of(f"@alice {text}")
    assert "@here, @channel and @everyone" in error_of(f"remove {text}")
    assert "@here, @channel and @everyone" in error_of(f"transfer design {text}")


@pytest.mark.parametrize("email", ["a@b", "a@@b.com", "a@b..com", "a@.com", "x@y.com."])
def test_malformed_emails_are_refused_by_name(email):
    assert f"“{email}”" in error_of(f"@alice {email}")


def test_a_bad_role_names_the_word_and_the_keyword():
    assert error_of("@alice as fooo!") == (
        "I couldn't use “fooo!” after “as”: expected role names like member or admin,manager."
    )


def test_a_clause_given_twice_is_refused():
    assert "“to”" in error_of("@alice to design to ops")


def test_an_unterminated_quote_is_an_error():
    assert "never closed" in error_of('@alice message "Hello')
    assert "never closed" in error_of("@alice message “Hello")


def test_channels_and_user_groups_are_not_invite_targets():
    assert "“#design”" in error_of("@alice <#C1234|design>")
    assert "“@devs”" in error_of("@alice <!subteam^S1234|@devs>")


# --- Invitations, links, joining -----------------------------------------------------------


def test_list_defaults_to_pending_invitations():
    assert parse("list") == ListInvitations(None, "pending")


@pytest.mark.parametrize(
    "status", ["pending", "accepted", "declined", "expired", "cancelled", "all"]
)
def test_list_takes_an_optional_team_and_status(status):
    assert parse(f"list {status}") == ListInvitations(None, status)
    assert parse(f"list design {status}") == ListInvitations("design", status)


def test_link_shows_and_reset_makes_a_new_one():
    assert parse("link") == ShowLink(None)
    assert parse("link design") == ShowLink("design")
    assert parse("link reset design") == ResetLink("design")
    assert parse("link resume") == ResumeLink(None)
    assert parse("link resume design") == ResumeLink("design")


def test_link_domains_takes_domains_or_any_and_an_optional_team():
    assert parse("link domains acme.com,acme.io") == LinkDomains(None, ("acme.com", "acme.io"))
    assert parse("link domains design acme.com") == LinkDomains("design", ("acme.com",))
    assert parse("link domains <http://acme.com|acme.com>") == LinkDomains(None, ("acme.com",))
    assert parse("link domains any") == LinkDomains(None, None)
    assert parse("link domains design any") == LinkDomains("design", None)
    with pytest.raises(CommandError) as error:
        parse("link domains")
    assert "email domains or any" in error.value.message


def test_link_limit_sets_uses_and_expiry():
    assert parse("link limit uses 10") == LimitLink(None, 10, None, False)
    assert parse("link limit design expires 7 uses 3") == LimitLink("design", 3, 7, False)
    assert parse("link limit expires never") == LimitLink(None, None, None, True)


def test_link_limit_needs_a_limit():
    assert "“limit”" in error_of("link limit")
    assert "“zero”" in error_of("link limit uses zero")
    assert "“0”" in error_of("link limit expires 0")


def test_join_takes_a_code():
    assert parse("join ABC-123") == JoinWithCode("ABC-123")
    assert "“join”" in error_of("join")


def test_request_keeps_the_rest_of_the_text():
    assert parse("request") == RequestToJoin("")
    assert parse("request design I'd like in, please &amp; thanks") == RequestToJoin(
        "design I'd like in, please & thanks"
    )


# --- Roles, members, teams -------------------------------------------------------------


def test_role_sets_a_members_roles():
    assert parse("role <@U123ABC|alice> Admin,manager in design") == SetRoles(
        ALICE, ("admin", "manager"), "design"
    )
    assert parse("role @alice viewer") == SetRoles(UserTarget(None, "alice"), ("viewer",), None)


def test_role_create_and_delete():
    assert parse("role create contributor invite,VIEW in design") == CreateRole(
        "contributor", ("invite", "view"), "design"
    )
    assert parse("role create “Core Team” view") == CreateRole("core team", ("view",), None)
    assert parse("role delete contributor in design") == DeleteRole("contributor", "design")


def test_role_errors_name_their_word():
    assert "“role”" in error_of("role")
    assert "“contributor”" in error_of("role create contributor")
    assert "“in”" in error_of("role @alice admin in")
    assert "“#x”" in error_of("role @alice #x")


def test_transfer_names_a_team_and_a_person():
    assert parse("transfer design <@U123ABC|alice>") == TransferOwnership("design", ALICE)
    assert "“@alice”" in error_of("transfer @alice")


def test_remove_takes_a_person_and_an_optional_team():
    assert parse("remove @alice") == RemoveMember(UserTarget(None, "alice"), None)
    assert parse("remove <@U123ABC|alice> from design") == RemoveMember(ALICE, "design")


def test_team_create_delete_and_parent():
    assert parse("team create design") == CreateTeam("design", None)
    assert parse("team create ux parent design") == CreateTeam("ux", "design")
    assert parse("team delete design") == DeleteTeam("design")
    assert "“team”" in error_of("team")
    assert "“delete”" in error_of("team delete")


def test_team_link_takes_escaped_and_plain_channels_and_groups():
    command = parse(
        "team link design <#C1234|design> <#C5678|> #general <!subteam^S123|@devs> @ops"
    )
    assert command == LinkTeam(
        "design",
        (ChannelRef("C1234", "design"), ChannelRef("C5678", None), ChannelRef(None, "general")),
        (UserGroupRef("S123", "devs"), UserGroupRef(None, "ops")),
    )


def test_team_link_needs_a_resource():
    assert "“design”" in error_of("team link design")
    assert "“hello”" in error_of("team link design hello")


# --- Seats, settings, audit ------------------------------------------------------------


def test_seats_shows_or_sets_the_limit():
    assert parse("seats") == Seats(None, None)
    assert parse("seats design") == Seats("design", None)
    assert parse("seats 25") == Seats(None, SeatLimit(seats=25))
    assert parse("seats design 100000") == Seats("design", SeatLimit(seats=100000))
    assert parse("seats design Starter") == Seats("design", SeatLimit(plan="starter"))
    assert parse("seats unlimited") == Seats(None, SeatLimit(plan="unlimited"))


@pytest.mark.parametrize("limit", ["0", "-5", "100001", "2.5", "9" * 5000])
def test_seats_refuses_a_bad_limit_by_name(limit):
    assert f"“{limit[:20]}" in error_of(f"seats design {limit}")


def test_audit_may_ask_for_csv():
    assert parse("audit") == Audit(None, False)
    assert parse("audit design CSV") == Audit("design", True)


def test_stats_takes_an_optional_team_and_nothing_more():
    assert parse("stats") == Stats(None)
    assert parse("STATS Design") == Stats("Design")
    assert "“week”" in error_of("stats design week")
    assert "“stats”" in error_of("members stats")  # a command word, so never a team


# --- Errors ------------------------------------------------------------------------------


def test_unknown_command_names_the_word_and_suggests_one():
    assert error_of("lisst") == "Unknown command “lisst”. Did you mean “list”? Try /invite help."
    assert error_of("frobnicate") == "Unknown command “frobnicate”. Try /invite help."


def test_a_trailing_word_is_named_with_the_form_expected():
    assert error_of("teams extra") == (
        "I couldn't use “extra” after “teams”: expected nothing more, as in /invite teams."
    )


def test_error_messages_use_no_mrkdwn():
    for text in ["lisst", "@a as *x*", "members @a", "seats x y", "<!here>"]:
        assert "`" not in error_of(text)


def test_keywords_cover_commands_statuses_and_plans():
    for word in ["list", "link", "to", "as", "message", "never", "csv", "all", "starter"]:
        assert word in KEYWORDS


@pytest.mark.parametrize(
    "text", ["<", "<@>", "<>", "<#>", "<!subteam^>", "\x00", "&", "&amp", ">", "“", "@", "#"]
)
def test_odd_text_is_a_command_error_or_a_command(text):
    try:
        assert isinstance(parse(text), Command)
    except CommandError as error:
        assert error.message


def test_huge_text_is_handled():
    with pytest.raises(CommandError):
        parse("x" * 200_000)
    assert len(parse("@a message " + "<" * 100_000).message) == 100_000


# --- Properties ---------------------------------------------------------------------------

SLACK_TOKENS = [
    "<@U123ABC|alice>", "<@W1>", "<#C1234|design>", "<#C1|>", "<!subteam^S1|@devs>",
    "<mailto:a@b.co|a@b.co>", "<https://x.io|x>", "<!here>", "<!channel>", "<!everyone>",
    "<@>", "<", ">", "&amp;", "&lt;", "&gt;", "&amp;lt;", "\"", "'", "“", "”", "‘", "’",
    ",", "a@x.com", "@alice", "#design", "U123ABC", "0", "25", "-1", "99999999", "\x00",
]  # fmt: skip
WORDS = st.sampled_from(sorted(KEYWORDS) + SLACK_TOKENS) | st.text(max_size=8)
COMMAND_LIKE = st.lists(WORDS, max_size=12).map(" ".join)


def assert_parses_or_explains(text: str) -> None:
    try:
        assert isinstance(parse(text), Command)
    except CommandError as error:
        assert isinstance(error.message, str)
        assert error.message.strip()


@settings(max_examples=2000, deadline=None)
@given(st.text())
def test_arbitrary_text_parses_or_raises_command_error(text):
    assert_parses_or_explains(text)


@settings(max_examples=2000, deadline=None)
@given(COMMAND_LIKE)
def test_slack_like_text_parses_or_raises_command_error(text):
    assert_parses_or_explains(text)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(SLACK_TOKENS + ["to", "as", "message"]), max_size=12).map("".join))
def test_unspaced_slack_tokens_parse_or_raise_command_error(text):
    assert_parses_or_explains(text)


def test_no_command_keyword_can_be_a_team_name():
    from bot.teams.service import RESERVED_TEAM_NAMES

    assert KEYWORDS <= RESERVED_TEAM_NAMES, sorted(KEYWORDS - RESERVED_TEAM_NAMES)
