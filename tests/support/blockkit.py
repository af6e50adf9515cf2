"""Block Kit checks shared by builder unit tests and the Slack stand-in.

slack_sdk's models parse and validate Block Kit, but silently drop keys they do
not know. Comparing the parsed model's ``to_dict()`` with the input therefore
catches invented fields as well as malformed blocks.
"""

from __future__ import annotations

import warnings
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
VIEW_TYPES = ("modal", "home")


def assert_valid_message_blocks(blocks: Any) -> None:
    """Raise AssertionError unless `blocks` is a valid message `blocks` list."""
    assert isinstance(blocks, list), f"blocks must be a list, got {type(blocks).__name__}"
    assert len(blocks) <= MAX_MESSAGE_BLOCKS, (
        f"a message holds at most {MAX_MESSAGE_BLOCKS} blocks, got {len(blocks)}"
    )
    for index, block in enumerate(blocks):
        assert_valid_block(block, where=f"blocks[{index}]")


def assert_valid_view(view: Any) -> None:
    """Raise AssertionError unless `view` is a valid modal or Home tab view."""
    assert isinstance(view, dict), f"view must be an object, got {type(view).__name__}"
    assert view.get("type") in VIEW_TYPES, f"view.type must be one of {VIEW_TYPES}"
    blocks = view.get("blocks")
    assert isinstance(blocks, list), "view.blocks must be a list"
    assert 1 <= len(blocks) <= MAX_VIEW_BLOCKS, (
        f"a view holds 1 to {MAX_VIEW_BLOCKS} blocks, got {len(blocks)}"
    )
    for index, block in enumerate(blocks):
        assert_valid_block(block, where=f"view.blocks[{index}]")
    try:
        parsed = View(**view)
        parsed.validate_json()
        as_dict = parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError) as error:
        raise AssertionError(f"view is invalid: {error}") from error
    _assert_round_trip(view, as_dict, where="view")


def assert_valid_block(block: Any, *, where: str = "block") -> None:
    """Raise AssertionError unless `block` is one valid Block Kit block."""
    assert isinstance(block, dict), f"{where} must be an object, got {type(block).__name__}"
    with warnings.catch_warnings():
        # slack_sdk warns (and returns None) for an unknown block type.
        warnings.simplefilter("ignore")
        parsed = Block.parse(block)
    assert parsed is not None, f"{where}: unknown block type {block.get('type')!r}"
    try:
        parsed.validate_json()
        as_dict = parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError) as error:
        raise AssertionError(f"{where} is invalid: {error}") from error
    _assert_round_trip(block, as_dict, where=where)


def _assert_round_trip(original: Any, parsed: Any, *, where: str) -> None:
    difference = first_difference(original, parsed, where)
    assert difference is None, difference


def first_difference(original: Any, parsed: Any, where: str) -> str | None:
    """Describe the first place where `parsed` lost or changed part of `original`."""
    if isinstance(original, dict) and isinstance(parsed, dict):
        for key, value in original.items():
            if key not in parsed:
                return f"{where}.{key} is not a Block Kit field here (slack_sdk drops it)"
            found = first_difference(value, parsed[key], f"{where}.{key}")
            if found:
                return found
        extra = sorted(set(parsed) - set(original))
        return f"{where}: slack_sdk added {extra}" if extra else None
    if isinstance(original, list) and isinstance(parsed, list):
        if len(original) != len(parsed):
            return f"{where}: {len(original)} items became {len(parsed)}"
        for index, (left, right) in enumerate(zip(original, parsed, strict=True)):
            found = first_difference(left, right, f"{where}[{index}]")
            if found:
                return found
        return None
    if original != parsed:
        return f"{where}: {original!r} is read as {parsed!r}"
    return None
