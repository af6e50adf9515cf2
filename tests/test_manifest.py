"""manifest.yml against Slack's manifest schema, and its scopes against what the app calls."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.support.fixtures import APP_SCOPE_NEEDS

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests/slack_reference/manifest/manifest.schema.1.0.0.json"
# Scopes that features need rather than Web API methods: slash commands need `commands`.
FEATURE_SCOPES = {"commands"}


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_validates_against_slacks_schema():
    schema = json.loads(SCHEMA.read_text())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(manifest()))
    assert not errors, [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def test_manifest_declares_the_command_with_escaping_and_interactivity():
    data = manifest()
    commands = data["features"]["slash_commands"]
    assert [(c["command"], c["should_escape"]) for c in commands] == [("/invite", True)]
    assert data["settings"]["interactivity"]["is_enabled"] is True


def extra_scopes(granted: set[str], needs: set[tuple[str, ...]]) -> list[str]:
    """Granted scopes that no need requires: dropping one, or swapping it for a scope Slack
    lists before it for the same call (the narrower one), still meets every need."""

    def meets(scopes: set[str]) -> bool:
        return all(set(need) & scopes for need in needs)

    extra = []
    for scope in sorted(granted - FEATURE_SCOPES):
        narrower = {n for need in needs if scope in need for n in need[: need.index(scope)]}
        if meets(granted - {scope}) or any(
            meets(granted - {scope} | {other}) for other in narrower
        ):
            extra.append(scope)
    return extra


def test_extra_scopes_finds_a_scope_no_call_needs_and_a_broader_one_than_needed():
    needs = {("channels:write.invites", "channels:manage"), ("im:write",)}
    assert extra_scopes({"channels:manage", "im:write"}, needs) == ["channels:manage"]
    assert extra_scopes({"channels:write.invites", "im:write"}, needs) == []
    kicks = needs | {("channels:manage",)}
    both = {"channels:write.invites", "channels:manage", "im:write"}
    assert extra_scopes(both, kicks) == ["channels:write.invites"]
    assert extra_scopes({"channels:manage", "im:write"}, kicks) == []
    assert extra_scopes({"channels:manage", "im:write", "channels:history"}, kicks) == [
        "channels:history"
    ]


@pytest.mark.runs_last
def test_manifest_scopes_are_exactly_the_narrowest_the_calls_need():
    if not APP_SCOPE_NEEDS:
        pytest.skip("run with the end-to-end tests: no Web API call was seen in this run")
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    unmet = sorted(need for need in APP_SCOPE_NEEDS if not set(need) & granted)
    assert not unmet, f"calls made without a granting scope in manifest.yml: {unmet}"
    assert not extra_scopes(granted, APP_SCOPE_NEEDS), "manifest.yml grants more than needed"


def test_manifest_reads_no_channel_messages():
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert not granted & {"channels:history", "groups:history", "mpim:history"}
