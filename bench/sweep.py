"""3. Expiry sweep: `bot.expiry.expire_due_invitations` against hand-written SQL doing
the same work, on SQLite and PostgreSQL, with 100,000 rows (all due) and 1,000,000
rows (100,000 due). Each case starts from a freshly generated database.

The hand-written SQL: the due rows' ids, one UPDATE of them, one INSERT … SELECT of
their notices (an "expired" one for the inviter, a "closed" one for each invitee's
DM) and one INSERT … SELECT of their audit entries, in one transaction. On
PostgreSQL that is a single statement with data-modifying CTEs; SQLite cannot feed
an UPDATE into an INSERT, so it goes through a temporary table of ids.
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
from bot.expiry import expire_due_invitations
from bot.team_settings import TeamSettings

from bench.common import Goal, Section, ratio, table
from storage.db import db, init_db
from storage.models import AuditEntry, Invitation, Notice, Team

PG_SERVER = "postgresql://postgres@127.0.0.1:5432/"
PG_DB = "lobby_bench"
NOW = datetime(2026, 3, 1, 12, 0, 0)
TEAMS = 10
# (rows, due, which rows are due): 100k all due; 1M with the oldest 100k due, as
# expiry by age makes them; 1M with every 10th due, the worst case for locality.
REPEATS = 5
CASES = ((100_000, 100_000, "all"), (1_000_000, 100_000, "oldest"), (1_000_000, 100_000, "spread"))


class FixedClock:
    def now(self) -> datetime:
        return NOW


def fresh_database(kind: str, workdir: Path):
    if kind == "sqlite":
        path = workdir / f"sweep-{time.monotonic_ns()}.db"
        return init_db(f"sqlite:///{path}")
    admin = psycopg2.connect(PG_SERVER + "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DB,))
        if not cursor.fetchone():
            cursor.execute(f"CREATE DATABASE {PG_DB}")
    admin.close()
    database = init_db(PG_SERVER + PG_DB)
    database.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    database.close()
    return init_db(PG_SERVER + PG_DB)


def fill(kind: str, rows: int, due: int, layout: str) -> None:
    """`rows` pending invitations over TEAMS teams, `due` of them due: with layout
    "oldest" the first `due` created (as expiry by age makes them), with "spread"
    every (rows // due)-th, so the due rows share their pages with rows that are not."""
    settings = TeamSettings().as_fields()
    Team.insert_many(
        [
            dict(
                workspace_id="T0LOBBY",
                name=f"Team{n}",
                name_key=f"team{n}",
                description="",
                created_at=NOW - timedelta(days=30),
                created_by="U0ADMIN1",
                **settings,
            )
            for n in range(TEAMS)
        ]
    ).execute()
    first_team = Team.select(Team.id).order_by(Team.id).first().id
    due_when = f"x {'%' if kind == 'sqlite' else '%%'} {rows // due} = 0"
    if layout == "oldest":
        due_when = f"x <= {due}"
    fmt = (lambda t: t.strftime("%Y-%m-%d %H:%M:%S")) if kind == "sqlite" else (lambda t: t)
    created, past, future = (
        fmt(NOW - timedelta(days=8)),
        fmt(NOW - timedelta(hours=1)),
        fmt(NOW + timedelta(days=3)),
    )
    p = db.param
    mod = "%" if kind == "sqlite" else "%%"  # psycopg2 reads a lone % as a parameter
    columns = (
        "workspace_id, team_id, invitee_user_id, inviter_user_id, roles, status, token_hash,"
        " created_at, expires_at, generation, last_sent_at"
    )
    values = (
        f"'T0LOBBY', {p} + x {mod} {TEAMS}, 'U' || x, 'U0ADMIN1', 'member', 'pending', 'h' || x,"
        f" {p}, CASE WHEN {due_when} THEN {p} ELSE {p} END, 1, {p}"
    )
    params = (first_team, created, past, future, created)
    if kind == "sqlite":
        sql = (
            f"WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < {rows})"
            f" INSERT INTO invitation ({columns}) SELECT {values} FROM seq"
        )
    else:
        sql = (
            f"INSERT INTO invitation ({columns}) SELECT {values}"
            f" FROM generate_series(1, {rows}) AS x"
        )
    with db.atomic():
        db.execute_sql(sql, params)
    db.execute_sql("ANALYZE")
    # Start each sweep from flushed pages, so neither side pays for the fill's writes.
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)" if kind == "sqlite" else "CHECKPOINT")


NOTICE_COLUMNS = "workspace_id, kind, payload, created_at, status, attempts, next_attempt_at"
AUDIT_COLUMNS = "workspace_id, team_id, team_name, action, target, details, created_at"


def notice_selects(json_object: str, source: str, p: str, cast: str = "") -> str:
    expired = (
        f"{json_object}('invitation_id', i.id, 'team', t.name, 'inviter', i.inviter_user_id,"
        " 'invitee', i.invitee_user_id, 'email', i.invitee_email)"
    )
    closed = (
        f"{json_object}('invitation_id', i.id, 'generation', i.generation, 'team', t.name,"
        " 'status', 'expired', 'decided_by', NULL)"
    )
    return (
        f"SELECT i.workspace_id, 'invitation_expired', {expired}{cast}, {p}, 'pending', 0, {p}"
        f" FROM {source} JOIN team t ON t.id = i.team_id"
        f" UNION ALL SELECT i.workspace_id, 'invitation_closed', {closed}{cast}, {p}, 'pending',"
        f" 0, {p}"
        f" FROM {source} JOIN team t ON t.id = i.team_id WHERE i.invitee_user_id IS NOT NULL"
    )


def audit_select(source: str, p: str) -> str:
    return (
        "SELECT i.workspace_id, i.team_id, t.name, 'invitation.expired',"
        " coalesce(i.invitee_user_id, i.invitee_email),"
        f" '{{\"invitation\": ' || i.id || '}}', {p}"
        f" FROM {source} JOIN team t ON t.id = i.team_id"
    )


def hand_written_sqlite(now) -> None:
    stamp = now.strftime("%Y-%m-%d %H:%M:%S")
    source = "due JOIN invitation i ON i.id = due.id"
    with db.atomic():
        db.execute_sql(
            "CREATE TEMP TABLE due AS SELECT id FROM invitation"
            " WHERE status = 'pending' AND expires_at <= ?",
            (stamp,),
        )
        db.execute_sql(
            "UPDATE invitation SET status = 'expired', decided_at = expires_at"
            " WHERE id IN (SELECT id FROM due)"
        )
        db.execute_sql(
            f"INSERT INTO notice ({NOTICE_COLUMNS}) {notice_selects('json_object', source, '?')}",
            (stamp,) * 4,
        )
        db.execute_sql(
            f"INSERT INTO audit_entry ({AUDIT_COLUMNS}) {audit_select(source, '?')}", (stamp,)
        )
        db.execute_sql("DROP TABLE due")


def hand_written_postgres(now) -> None:
    expired = (
        "UPDATE invitation SET status = 'expired', decided_at = expires_at"
        " WHERE status = 'pending' AND expires_at <= %s"
        " RETURNING id, workspace_id, team_id, inviter_user_id, invitee_user_id,"
        " invitee_email, generation"
    )
    sql = (
        f"WITH i AS ({expired}),"
        f" n AS (INSERT INTO notice ({NOTICE_COLUMNS})"
        f" {notice_selects('json_build_object', 'i', '%s', '::text')}),"
        f" a AS (INSERT INTO audit_entry ({AUDIT_COLUMNS}) {audit_select('i', '%s')})"
        " SELECT count(*) FROM i"
    )
    with db.atomic():
        db.execute_sql(sql, (now,) * 6)


def sweep_once(kind: str, method: str, rows: int, due: int, layout: str, workdir: Path) -> dict:
    fresh_database(kind, workdir)
    with db.connection_context():
        started = time.perf_counter()
        fill(kind, rows, due, layout)
        fill_s = time.perf_counter() - started
        started = time.perf_counter()
        if method == "app":
            expire_due_invitations(FixedClock())
        elif kind == "sqlite":
            hand_written_sqlite(NOW)
        else:
            hand_written_postgres(NOW)
        seconds = time.perf_counter() - started
        done = {
            "expired": Invitation.select().where(Invitation.status == "expired").count(),
            "notices": Notice.select().count(),
            "audit": AuditEntry.select().count(),
        }
    db.close()
    return {"seconds": seconds, "fill_s": fill_s, **done}


def sweep_median(kind, rows, due, layout, workdir) -> tuple[dict, dict]:
    """Hand-written SQL and the app, alternately, REPEATS times each; the median run of each."""
    runs: dict[str, list[dict]] = {"sql": [], "app": []}
    for _ in range(REPEATS):
        for method in runs:
            runs[method].append(sweep_once(kind, method, rows, due, layout, workdir))
    median = lambda found: sorted(found, key=lambda r: r["seconds"])[len(found) // 2]  # noqa: E731
    return median(runs["sql"]), median(runs["app"])


def run() -> Section:
    section = Section("3. Expiry sweep vs hand-written SQL")
    workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-sweep-"))
    rows_out, goals_ratio, growth = [], [], []
    for kind in ("sqlite", "postgres"):
        app_times = {}
        for rows, due, layout in CASES:
            try:
                base, app = sweep_median(kind, rows, due, layout, workdir)
            except Exception as error:  # noqa: BLE001 - report it in the table
                failed = f"failed: {error!r}"[:120]
                rows_out.append([kind, rows, due, layout, "", failed, "", "", ""])
                goals_ratio.append((kind, f"{rows:,} {layout}", None))
                continue
            same = all(app[k] == base[k] for k in ("expired", "notices", "audit"))
            app_times[rows, layout] = (app["seconds"], base["seconds"])
            goals_ratio.append((kind, f"{rows:,} {layout}", app["seconds"] / base["seconds"]))
            rows_out.append(
                [
                    kind,
                    rows,
                    due,
                    layout,
                    base["seconds"],
                    app["seconds"],
                    ratio(app["seconds"], base["seconds"]),
                    f"{app['expired']:,} / {app['notices']:,} / {app['audit']:,}"
                    + ("" if same else f" (SQL: {base['notices']:,} notices)"),
                    base["fill_s"],
                ]
            )
        if len(app_times) == len(CASES):
            small, small_sql = app_times[CASES[0][::2]]
            oldest, _ = app_times[CASES[1][::2]]
            spread, spread_sql = app_times[CASES[2][::2]]
            growth.append((kind, oldest / small, spread / small, spread_sql / small_sql))
    section.tables.append(
        table(
            [
                "database",
                "rows",
                "due",
                "due rows",
                "SQL s",
                "app s",
                "app vs SQL",
                "expired / notices / audit",
                "fill s",
            ],
            rows_out,
        )
    )
    worst = [r for r in goals_ratio if r[2] is None or r[2] > 1.2]
    section.goals.append(
        Goal(
            "sweep within 1.2× of hand-written SQL",
            not worst,
            "; ".join(
                f"{k} {n} rows: " + (f"{r:.2f}×" if r is not None else "failed")
                for k, n, r in goals_ratio
            ),
            cause=(
                "before this run, SQLite at 1M rows measured 1.38-1.40×: the app read the "
                "distinct teams of the due rows (to refresh their join cards) in a second "
                "index walk before sweeping them"
            ),
            fix=(
                "done: the teams come from the swept rows (PostgreSQL's CTE returns counts "
                "per team; SQLite's temp table of due ids carries team_id)"
            ),
        )
    )
    measured = {g[0] for g in growth}
    section.goals.append(
        Goal(
            "sweep time does not grow with rows that are not due (1M rows vs 100k, same due)",
            len(growth) == 2 and all(g[1] <= 1.3 for g in growth),
            "; ".join(
                f"{k}: {oldest:.2f}× with the oldest 100k of 1M due, {spread:.2f}× with every "
                f"10th due (hand-written SQL: {spread_sql:.2f}×)"
                for k, oldest, spread, spread_sql in growth
            )
            + "".join(
                f"; {k}: not measurable" for k in ("sqlite", "postgres") if k not in measured
            ),
            cause=(
                "with every 10th row due the UPDATE dirties ten times the pages, for the "
                "hand-written SQL as much as for the app: that growth is the database's"
            ),
            fix="none: both sides are one conditional UPDATE of the due rows",
        )
    )
    section.notes.append(
        "Before the fix (first run, app at 30b2b0d): the app's sweep failed on SQLite with "
        "`too many SQL variables` once ~4,000 invitations were due (one unbatched audit "
        "insert; the transaction rolled back, so nothing ever expired), and took 21.0 s vs "
        "3.13 s (6.7×) on PostgreSQL, 95% of it Python building rows (pyinstrument). Fix: "
        "`bot/expiry.py` builds the notices and audit rows in the database (INSERT … SELECT)."
    )
    section.notes.append(
        "Fill: rows generated in SQL (recursive CTE / generate_series) with the app's indexes "
        "in place, then ANALYZE and a checkpoint; not part of the timed sweep. Each case is "
        f"filled afresh and swept {REPEATS} times by each side, alternately; the table shows "
        "the median run of each."
    )
    return section
