"""manifest.yml against Slack's manifest schema, and its scopes against what the app calls."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.support.fixtures import APP_METHODS_SEEN
from tests.support.slack_standin import bot_scopes_of

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


@pytest.mark.runs_last
def test_manifest_scopes_are_exactly_those_of_the_methods_the_app_called():
    if not APP_METHODS_SEEN:
        pytest.skip("run with the end-to-end tests: no Web API call was seen in this run")
    granted = set(manifest()["oauth_config"]["scopes"]["bot"])
    needing_scopes = {m: set(bot_scopes_of(m)) for m in APP_METHODS_SEEN if bot_scopes_of(m)}
    unmet = sorted(m for m, scopes in needing_scopes.items() if not scopes & granted)
    used = set().union(*needing_scopes.values()) | FEATURE_SCOPES
    unused = sorted(granted - used)
    assert not unmet, f"methods called without a granting scope in manifest.yml: {unmet}"
    assert not unused, f"manifest.yml grants scopes no called method needs: {unused}"
