"""Lobby installed in several workspaces behind one stand-in, on threads of this process:
the web side (`app.create_web`, distributable) behind waitress and the worker side
(`app.create_worker`: the intake's runners and the outbox). Each workspace has its
installation, a team "Design", admins and people to invite."""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from waitress.server import create_server

from bench.common import SIGNING_SECRET
from bot.teams.settings import TeamSettings
from config import Settings
from tests.support.slack_requests import SlackRequests
from tests.support.slack_standin import SlackStandIn, scopes_from_manifest

ROOT = Path(__file__).resolve().parents[1]
TEAM = "Design"


def admin(n: int) -> str:
    return f"U0ADMIN{n}"


def person(workspace: int, n: int) -> str:
    return f"U{workspace}{n:07d}"


class Deployment:
    def __init__(self, workspaces: int, *, admins: int = 1, people: int = 0, pacer=None):
        from app import create_web, create_worker
        from handlers.health import HealthCheck
        from handlers.oauth.flow import installation_store
        from handlers.web import wsgi_app

        self.slack = SlackStandIn(scopes=scopes_from_manifest(ROOT / "manifest.yml")).start()
        self.workspaces = [self.slack] + [
            self.slack.add_workspace(f"T0WORK{n}", f"work{n}") for n in range(1, workspaces)
        ]
        workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-workspaces-"))
        settings = Settings(
            bot_token=None,
            signing_secret=SIGNING_SECRET,
            app_token=None,
            database_url=f"sqlite:///{workdir / 'lobby.db'}",
            slack_api_url=self.slack.api_url,
            port=0,
            smtp=None,
            join_url=None,
            client_id=self.slack.oauth.client_id,
            client_secret=self.slack.oauth.client_secret,
            encryption_keys=(Fernet.generate_key().decode(),),
            team_defaults=TeamSettings(daily_invite_limit=100_000),
        )
        self.web = create_web(settings)
        store = installation_store(settings)
        for w, workspace in enumerate(self.workspaces):
            for n in range(1, admins + 1):
                workspace.add_user(admin(n), f"admin{n}", email=f"a{n}@w{w}.test", is_admin=True)
            for n in range(people):
                workspace.add_user(person(w, n), f"p{w}x{n}")
            store.save(installation(workspace))
        self.worker = create_worker(settings, jobs=False, pacer=pacer)
        health = HealthCheck(self.web.lobby.clock, self.worker.is_alive, settings.max_backlog)
        self.server = create_server(
            wsgi_app(self.web.bolt, health, self.web.gate), host="127.0.0.1", port=0, threads=8
        )
        threading.Thread(target=self.server.run, daemon=True).start()
        self.worker.start()
        self.base = f"http://127.0.0.1:{self.server.effective_port}"
        for w in range(len(self.workspaces)):
            self.answered([self.command(w, f"team create {TEAM}")], 20)

    def command(self, w: int, text: str, user: str = admin(1)) -> str:
        """Send a command in workspace `w`; the response_url its answer goes to. Clients
        on several threads each sign their own."""
        requests = SlackRequests(self.base, SIGNING_SECRET, self.workspaces[w])
        answer = requests.command(text, user_id=user)
        assert answer.status == 200, answer
        return requests.last_payload["response_url"]

    def invite(self, w: int, people: list[str], user: str = admin(1)) -> str:
        mentions = " ".join(f"<@{p}|{p.lower()}>" for p in people)
        return self.command(w, f"{mentions} to {TEAM}", user)

    def answered(self, urls: list[str], timeout: float) -> None:
        self.slack.wait_for(
            lambda: all(any(w.responses_to(u) for w in self.workspaces) for u in urls), timeout
        )

    def first_dm_at(self, w: int, user: str, timeout: float = 120) -> float:
        """When the app's first DM to `user` in workspace `w` arrived (time.time())."""
        workspace = self.workspaces[w]

        def arrived():
            posts = workspace.calls_to("chat.postMessage")
            return next((c.at for c in posts if c.ok and c.args.get("channel") == user), None)

        return self.slack.wait_for(arrived, timeout)

    def settled(self, timeout: float) -> None:
        """Every command run and every notice delivered or given up."""
        from storage import intake
        from storage.db import db
        from tests.support.outbox import unsettled_count

        def quiet():
            with db.connection_context():
                return intake.backlog_size()[0] == 0 and unsettled_count() == 0

        self.slack.wait_for(quiet, timeout)

    def stop(self) -> None:
        self.server.close()
        self.web.writer.close()
        self.worker.stop(timeout=10)
        self.slack.stop()


def installation(workspace: SlackStandIn) -> Installation:
    return Installation(
        app_id=workspace.app_id,
        team_id=workspace.team_id,
        team_name=workspace.team_domain,
        bot_token=workspace.token,
        bot_id=workspace.bot_id,
        bot_user_id=workspace.bot_user_id,
        bot_scopes=sorted(workspace.scopes),
        user_id=admin(1),
        installed_at=time.time(),
    )
