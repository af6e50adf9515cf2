"""Claiming and settling outbox notices. Delivery itself happens above bot/."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import Case, IntegrityError, fn

from bot import audit
from bot.home.refresh import home_key
from bot.outbox import notices
from bot.roles.permissions import Permission
from bot.teams.membership import holders_of
from storage.db import db
from storage.models import Notice, PostedMessage, SyncGrant, Team
from storage.statuses import NoticeStatus

MAX_ATTEMPTS = 8
UNINSTALLED = "the workspace uninstalled Lobby"
# A notice claimed this long ago by an instance that never settled it was lost
# with that instance (killed mid-delivery) and is offered again.
CLAIM_TIMEOUT = timedelta(minutes=5)
# Home publishes wait until the notices people are waiting for (their DMs) are out.
LATER_KINDS = (notices.PublishHome.kind,)


@dataclass(frozen=True)
class Claimed:
    notice_id: int
    workspace_id: str
    notice: notices.Notice
    attempts: int  # this one included: above 1, an earlier attempt may have got through


def release_claims_of(instance_id: str) -> int:
    """At start-up: notices this instance claimed before it was killed are offered again."""
    return (
        Notice.update(status=NoticeStatus.PENDING, claimed_by=None)
        .where(Notice.status == NoticeStatus.SENDING, Notice.claimed_by == instance_id)
        .execute()
    )


def claim_due(now: datetime, instance_id: str, limit: int = 20) -> list[Claimed]:
    """Claim up to `limit` due notices for this instance; each is claimed by one instance only.

    Workspaces take turns: the oldest due notice of each, then the second of each, and so
    on, so a bulk invite in one workspace does not hold back a single DM in another.
    Home publishes (LATER_KINDS) come after every other due notice.
    """
    with db.atomic():  # one write transaction: on SQLite, one turn for the write lock
        Notice.update(status=NoticeStatus.PENDING).where(
            Notice.status == NoticeStatus.SENDING, Notice.claimed_at < now - CLAIM_TIMEOUT
        ).execute()
        # One conditional UPDATE claims the batch: a row another instance claimed meanwhile
        # no longer matches status = 'pending', so it is claimed once.
        rows = list(
            Notice.update(
                status=NoticeStatus.SENDING,
                claimed_at=now,
                claimed_by=instance_id,
                attempts=Notice.attempts + 1,
                # A claimed Home no longer stands for later changes: they queue it anew.
                dedupe_key=Case(None, [(Notice.kind.in_(LATER_KINDS), None)], Notice.dedupe_key),
            )
            .where(Notice.id.in_(_due_in_turns(now, limit)), Notice.status == NoticeStatus.PENDING)
            .returning(Notice.id, Notice.workspace_id, Notice.kind, Notice.payload, Notice.attempts)
            .execute()
        )
    claimed = [Claimed(row.id, row.workspace_id, notices.load(row), row.attempts) for row in rows]
    return in_turns(claimed)


def _due_in_turns(now: datetime, limit: int):
    """The ids of the first `limit` due notices, later kinds last, workspaces taking turns
    (portable SQL: ROW_NUMBER() runs on SQLite 3.25+ and PostgreSQL)."""
    later = Case(None, [(Notice.kind.in_(LATER_KINDS), 1)], 0)
    turn = fn.ROW_NUMBER().over(
        partition_by=[later, Notice.workspace_id], order_by=[Notice.next_attempt_at, Notice.id]
    )
    due = Notice.select(
        Notice.id, Notice.next_attempt_at, later.alias("later"), turn.alias("turn")
    ).where(Notice.status == NoticeStatus.PENDING, Notice.next_attempt_at <= now)
    return (
        due.select_from(due.c.id)
        .order_by(due.c.later, due.c.turn, due.c.next_attempt_at, due.c.id)
        .limit(limit)
    )


def in_turns(claimed: list[Claimed]) -> list[Claimed]:
    """Delivery order: each workspace's first notice, then each one's second, and so on;
    later kinds after the rest."""
    turns: dict[tuple[bool, str], int] = {}
    ranked = []
    for item in sorted(claimed, key=lambda item: item.notice_id):
        key = (item.notice.kind in LATER_KINDS, item.workspace_id)
        turns[key] = turns.get(key, 0) + 1
        ranked.append((key[0], turns[key], item.notice_id, item))
    return [entry[-1] for entry in sorted(ranked, key=lambda entry: entry[:3])]


def put_back(claimed: Claimed, until: datetime) -> None:
    """Not tried (Lobby paced itself): due again at `until`, without using an attempt."""
    Notice.update(
        status=NoticeStatus.PENDING,
        next_attempt_at=until,
        claimed_by=None,
        attempts=Notice.attempts - 1,
    ).where(Notice.id == claimed.notice_id).execute()
    _queue_again(claimed)


def _queue_again(claimed: Claimed) -> None:
    """A Home waiting again takes its place in the queue back, unless a newer one of the
    same person was queued meanwhile: that one stands for both."""
    if not isinstance(claimed.notice, notices.PublishHome):
        return
    key = home_key(claimed.workspace_id, claimed.notice.user)
    try:
        with db.atomic():
            Notice.update(dedupe_key=key).where(Notice.id == claimed.notice_id).execute()
    except IntegrityError:
        Notice.delete().where(Notice.id == claimed.notice_id).execute()


def mark_sent(claimed: Claimed, now: datetime) -> None:
    changes = {"status": NoticeStatus.SENT, "sent_at": now, "last_error": None}
    if claimed.notice.secret_fields:
        changes["payload"] = notices.scrubbed_payload(claimed.notice)
    with db.atomic():  # on SQLite it waits its turn instead of in SQLite's busy handler
        Notice.update(**changes).where(Notice.id == claimed.notice_id).execute()


def drop_uninstalled(claimed: Claimed) -> None:
    """Its workspace uninstalled the app: the notice is not sent, and nobody is told there."""
    Notice.update(status=NoticeStatus.FAILED, last_error=UNINSTALLED).where(
        Notice.id == claimed.notice_id
    ).execute()


def mark_failed(
    claimed: Claimed,
    now: datetime,
    error: str,
    *,
    retry_after: float | None,
    permanent: bool,
) -> bool:
    """Retry later (after Slack's Retry-After, or with backoff), or give up; True if given up.

    A rate limit is Slack asking to wait, not a failure: it does not use up an attempt.
    Giving up tells the owners of the notice's team, so a lost message is never silent.
    """
    row = Notice.get_by_id(claimed.notice_id)
    if retry_after is not None:
        row.attempts -= 1
    if permanent or row.attempts >= MAX_ATTEMPTS:
        row.status, row.last_error = NoticeStatus.FAILED, error
        row.save()
        _tell_owners_of_failure(claimed, error, now)
        return True
    delay = retry_after if retry_after is not None else min(2**row.attempts, 300)
    row.status, row.last_error = NoticeStatus.PENDING, error
    row.next_attempt_at = now + timedelta(seconds=delay)
    row.save()
    _queue_again(claimed)
    return False


def _tell_owners_of_failure(claimed: Claimed, error: str, now: datetime) -> None:
    team_name = getattr(claimed.notice, "team", None)
    if isinstance(claimed.notice, notices.DeliveryFailed) or not team_name:
        return
    team = Team.get_or_none(Team.workspace_id == claimed.workspace_id, Team.name == team_name)
    if team is None:
        return
    for owner in holders_of(team, Permission.MANAGE_SEATS):
        failed = notices.DeliveryFailed(
            team=team.name, recipient=owner, what=claimed.notice.kind, error=error
        )
        notices.record(claimed.workspace_id, failed, now)


# Subjects of messages that are updated later, one place for their names.
def invitation_subject(invitation_id: int, generation: int) -> str:
    return f"invitation:{invitation_id}:{generation}"


def request_subject(request_id: int) -> str:
    return f"request:{request_id}"


def role_request_subject(request_id: int) -> str:
    return f"role-request:{request_id}"


def card_subject(team_id: int) -> str:
    return f"card:{team_id}"


def remember_message(workspace_id: str, subject: str, channel: str, ts: str, now: datetime) -> None:
    """Keep where a message about `subject` went, so it can be updated later."""
    with db.atomic():
        PostedMessage.insert(
            workspace_id=workspace_id, subject=subject, channel=channel, ts=ts, posted_at=now
        ).on_conflict_ignore().execute()


def messages_about(subject: str) -> list[tuple[str, str]]:
    query = PostedMessage.select().where(PostedMessage.subject == subject)
    return [(m.channel, m.ts) for m in query]


def record_grant(workspace_id: str, user_id: str, kind: str, resource_id: str, now) -> None:
    """The delivery added someone to a channel or user group (they were not in it)."""
    with db.atomic():
        SyncGrant.insert(
            workspace_id=workspace_id,
            user_id=user_id,
            kind=kind,
            resource_id=resource_id,
            granted_at=now,
        ).on_conflict_ignore().execute()


def drop_grant(workspace_id: str, user_id: str, kind: str, resource_id: str) -> None:
    SyncGrant.delete().where(
        SyncGrant.workspace_id == workspace_id,
        SyncGrant.user_id == user_id,
        SyncGrant.kind == kind,
        SyncGrant.resource_id == resource_id,
    ).execute()


def record_sync_refusal(workspace_id, team_name, action, user_id, resource, code, now) -> None:
    """Slack refused a sync step (a kick, say): recorded in the team's audit trail."""
    team = Team.get_or_none(Team.workspace_id == workspace_id, Team.name == team_name)
    with db.atomic():
        audit.record(
            workspace_id=workspace_id,
            now=now,
            action=action,
            actor=None,
            team=team,
            target=user_id,
            resource=resource,
            error=code,
        )
