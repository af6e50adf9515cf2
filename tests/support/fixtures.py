"""Pytest fixtures for tests that talk to the Slack stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.slack_standin import SlackStandIn, default_scopes, scopes_from_manifest
from tests.support.socket_mode_standin import SocketModeStandIn

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
# Web API methods the app itself called successfully in this test run (the
# stand-in's own tests call others); the manifest's scopes are checked against them.
APP_METHODS_SEEN: set[str] = set()
# What each of those calls needed: per kind of conversation, the scopes that grant it.
APP_SCOPE_NEEDS: set[tuple[str, ...]] = set()


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    """A started stand-in granting the manifest's bot scopes (all known ones without it)."""
    scopes = scopes_from_manifest(MANIFEST) if MANIFEST.is_file() else default_scopes()
    with SlackStandIn(scopes) as standin:
        yield standin
    assert not standin.problems, f"the stand-in could not serve: {standin.problems}"


@pytest.fixture
def socket_mode(slack: SlackStandIn) -> Iterator[SocketModeStandIn]:
    """The Socket Mode side of the `slack` stand-in; `slack.app_token` opens connections."""
    socket_mode = slack.socket_mode
    yield socket_mode
    assert not socket_mode.problems, f"the app broke Socket Mode's rules: {socket_mode.problems}"
