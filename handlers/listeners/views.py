"""Modal submissions: the invite form."""

import re
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.errors import InvalidAccessEnd, InvalidSetting, LobbyError, OwnerNotForATime
from bot.invitations.tokens import normalize_email
from bot.service import Lobby
from bot.teams.access_term import AccessTerm
from bot.vocabulary import MAX_TARGETS
from handlers.blocks import invitations, requests
from handlers.blocks.access import chosen_days
from handlers.blocks.invitations import INVITE_MODAL
from handlers.blocks.refusals import describe
from handlers.blocks.requests import DENY_MODAL, REQUEST_MODAL
from handlers.blocks.settings import NUMBER_SETTINGS, SETTINGS_MODAL
from handlers.intake.listen import Handoff
from handlers.intake.runs import runs
from handlers.listeners.answers import answer_refusal
from handlers.slack.context import actor_of
from handlers.slack.directory import SlackDirectory

EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def register(app, lobby: Lobby, handoff: Handoff) -> None:
    def record(ack, name, body, context, *, shown_at: str) -> None:
        """Record a submission and close the modal; when it can't be taken, the modal
        stays open saying so beside the input `shown_at`."""
        person = body["user"]["id"]
        refusal = handoff.take(name, body, workspace_id=context.team_id, person=person)
        if refusal:
            ack(response_action="errors", errors={shown_at: refusal})
        else:
            ack()

    def validate(ack, view, body, context):
        """Refuse bad input inline, in the modal; record the rest for the worker."""
        form = InviteForm.read(view)
        errors = form.errors()
        if not errors:
            try:
                lobby.invitations.check_invite(
                    actor=actor_of(context, body["user"]["id"]),
                    team_name=form.team,
                    roles=form.roles,
                    term=form.term,
                )
            except LobbyError as error:
                errors = form.refusal(error)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        record(ack, INVITE_MODAL, body, context, shown_at="people")

    def acknowledge_as(name, shown_at):
        def acknowledge(ack, body, context):
            record(ack, name, body, context, shown_at=shown_at)

        return acknowledge

    def save_settings(ack, view, body, context):
        """Settings are quick database work: saved within the ack, errors shown inline."""
        actor = actor_of(context, body["user"]["id"])
        try:
            changes = settings_from(view["state"]["values"])
            lobby.settings.update(actor=actor, team_name=view["private_metadata"], changes=changes)
        except InvalidSetting as error:
            ack(response_action="errors", errors={error.field: describe(error)})
            return
        except LobbyError as error:
            ack(response_action="errors", errors={"invite_policy": describe(error)})
            return
        ack()

    app.view(INVITE_MODAL)(validate)
    app.view(SETTINGS_MODAL)(save_settings)
    app.view(DENY_MODAL)(acknowledge_as(DENY_MODAL, shown_at="reason"))

    def ask_to_join(ack, view, body, context):
        """A team that requires a note refuses a bare request inline, in the modal."""
        try:
            lobby.requests.check_note_given(
                actor=actor_of(context, body["user"]["id"]),
                team_name=_chosen_team(view),
                note=_value(view, "note"),
            )
        except LobbyError as error:
            ack(response_action="errors", errors={"note": describe(error)})
            return
        record(ack, REQUEST_MODAL, body, context, shown_at="note")

    app.view(REQUEST_MODAL)(ask_to_join)


def register_runs(lobby: Lobby) -> None:
    @runs(INVITE_MODAL)
    def send(view, context, client, respond):
        form = InviteForm.read(view)
        try:
            result = lobby.invitations.invite(
                actor=actor_of(context, context.user_id),
                team_name=form.team,
                user_ids=form.user_ids,
                emails=form.emails,
                roles=form.roles,
                message=form.message,
                directory=SlackDirectory(client),
                term=form.term,
            )
        except (LobbyError, SlackApiError) as error:
            answer_refusal(respond, error)
            return
        respond(**invitations.invite_summary(result))

    @runs(DENY_MODAL)
    def deny(view, context, respond):
        reason = _value(view, "reason") or None
        request_id = int(view["private_metadata"])
        try:
            lobby.requests.deny(
                actor=actor_of(context, context.user_id), request_id=request_id, reason=reason
            )
        except LobbyError as error:
            answer_refusal(respond, error)

    @runs(REQUEST_MODAL)
    def ask(view, context, respond):
        team = _chosen_team(view)
        note = _value(view, "note") or None
        try:
            asked = lobby.requests.ask(
                actor=actor_of(context, context.user_id), team_name=team, note=note
            )
        except LobbyError as error:
            answer_refusal(respond, error)
            return
        respond(**requests.request_sent(asked.team.name))


def _chosen_team(view: dict) -> str:
    return view["state"]["values"]["team"]["team"]["selected_option"]["value"]


def _value(view: dict, block_id: str) -> str:
    return (view["state"]["values"].get(block_id, {}).get(block_id, {}).get("value") or "").strip()


class InviteForm:
    """The values of a submitted invite modal."""

    def __init__(self, values: dict, private_metadata: str):
        def value(block, key):
            return values.get(block, {}).get(block, {}).get(key)

        selected_team = value("team", "selected_option")
        self.team = selected_team["value"] if selected_team else (private_metadata or None)
        self.user_ids: list[str] = value("people", "selected_users") or []
        raw_emails = value("emails", "value") or ""
        self.emails = [e for e in EMAIL_SEPARATORS.split(raw_emails) if e]
        self.roles = [o["value"] for o in value("roles", "selected_options") or []]
        self.message = (value("message", "value") or "").strip() or None
        self.days = chosen_days((value("term", "selected_option") or {}).get("value"))
        self.until = value("until", "selected_date")

    @classmethod
    def read(cls, view: dict) -> "InviteForm":
        return cls(view["state"]["values"], view.get("private_metadata", ""))

    def errors(self) -> dict[str, str]:
        errors = {}
        count = len(self.user_ids) + len(self.emails)
        if count == 0:
            errors["people"] = "Pick someone, or enter email addresses below."
        elif count > MAX_TARGETS:
            errors["people"] = f"At most {MAX_TARGETS} people at once; you chose {count}."
        for raw in self.emails:
            address, reason = normalize_email(raw)
            if address is None:
                errors["emails"] = f"“{raw}” is not an email address: {reason}"
                break
        if not self.roles:
            errors["roles"] = "Choose at least one role."
        if self.days is not None and self.until:
            errors["until"] = invitations.TERM_TWICE
        return errors

    @property
    def term(self) -> AccessTerm:
        until = date.fromisoformat(self.until) if self.until else None
        return AccessTerm(days=None if until else self.days, until=until)

    def refusal(self, error: LobbyError) -> dict[str, str]:
        """A refusal of the service's checks, shown beside the field it is about."""
        if isinstance(error, InvalidAccessEnd):
            if self.until:
                return {"until": invitations.DATE_OUT_OF_RANGE}
            return {"term": describe(error)}
        if isinstance(error, OwnerNotForATime):
            return {"term": describe(error)}
        return {"roles": describe(error)}


def settings_from(values: dict) -> dict:
    """The submitted settings form as setting values (numbers checked as whole numbers)."""

    def chosen(block):
        return values[block][block]

    changes = {
        name: chosen(name)["selected_option"]["value"]
        for name in ("invite_policy", "link_policy", "default_role")
    }
    for name, _ in NUMBER_SETTINGS:
        raw = (chosen(name).get("value") or "").strip()
        if not raw.lstrip("-").isdigit():
            raise InvalidSetting(field=name, reason="a whole number")
        changes[name] = int(raw)
    changes["notification_channel"] = chosen("notification_channel").get("selected_conversation")
    changes["digest_enabled"] = bool(chosen("digest_enabled").get("selected_options"))
    if "note_required" in values:  # a form opened before the setting existed lacks it
        changes["note_required"] = bool(chosen("note_required").get("selected_options"))
    return changes
