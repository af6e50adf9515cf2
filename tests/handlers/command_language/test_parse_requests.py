"""The command language for role requests: `request role ROLE [in TEAM] [note…]`."""

import pytest

from handlers.command_language import CommandError, RequestRole, RequestToJoin, parse


def error_of(text: str) -> str:
    with pytest.raises(CommandError) as caught:
        parse(text)
    return caught.value.message


def test_request_role_takes_a_role_then_an_optional_team_and_note():
    assert parse("request role admin") == RequestRole("admin")
    assert parse("request role Admin in design") == RequestRole("admin", "design")
    assert parse("request role admin in Design I run the wiki &amp; docs") == RequestRole(
        "admin", "Design", "I run the wiki & docs"
    )
    assert parse("request role manager please, I onboard people") == RequestRole(
        "manager", None, "please, I onboard people"
    )
    assert parse("request role “core team” for the launch") == RequestRole(
        "core team", None, "for the launch"
    )


def test_request_without_role_still_asks_to_join():
    assert parse("request Design role models inspire me") == RequestToJoin(
        "Design role models inspire me"
    )
    assert parse("request") == RequestToJoin("")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("request role", "“role” needs more: expected a role name"),
        ("request role <@U123|alice>", "a role name, as in /invite request role ROLE"),
        ("request role admin in", "“in” needs more"),
        ("request role list", "“list”"),
    ],
)
def test_request_role_names_what_it_could_not_use(text, named):
    assert named in error_of(text)
