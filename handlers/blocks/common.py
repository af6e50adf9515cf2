"""The Block Kit pieces every message and view is made of."""

SECTION_LIMIT = 3000  # characters of text in one section


MESSAGE_BLOCK_LIMIT = 50


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def divider() -> dict:
    return {"type": "divider"}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def message(text: str) -> dict:
    """A plain message, split into sections at line ends so no line is cut.

    `text` (shortened) is also the notification fallback.
    """
    chunks: list[str] = []
    for line in text.splitlines() or [""]:
        if chunks and len(chunks[-1]) + len(line) + 1 <= SECTION_LIMIT:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line[:SECTION_LIMIT])
    if len(chunks) > MESSAGE_BLOCK_LIMIT:
        omitted = len(chunks) - MESSAGE_BLOCK_LIMIT + 1
        chunks = chunks[: MESSAGE_BLOCK_LIMIT - 1] + [f"…and {omitted} more parts not shown."]
    return {"text": text[:SECTION_LIMIT], "blocks": [section(chunk) for chunk in chunks]}


def with_buttons(text: str, block_id: str, buttons: list[dict]) -> dict:
    """A short message with a row of buttons."""
    return {
        "text": text,
        "blocks": [section(text), {"type": "actions", "block_id": block_id, "elements": buttons}],
    }


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def input_block(block_id, label, element, *, optional=False, hint=None) -> dict:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def option(label: str, value: str) -> dict:
    return {"text": {"type": "plain_text", "text": label[:75]}, "value": value}


def static_select(action_id, options, initial) -> dict:
    return {
        "type": "static_select",
        "action_id": action_id,
        "options": [option(label, value) for label, value in options],
        "initial_option": option(initial, initial),
    }


def header(text: str) -> dict:
    return {"type": "header", "text": plain_text(text[:150])}


def plain_text(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def actions(block_id: str, elements: list[dict]) -> dict:
    return {"type": "actions", "block_id": block_id, "elements": elements}


def role_option(role: str) -> dict:
    return option(role.capitalize(), role)
